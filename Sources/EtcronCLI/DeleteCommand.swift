import ArgumentParser
import EtcronCore

/// `etcron delete TENANT/NAME`: removes a job; its history stays readable until garbage
/// collection.
public struct DeleteCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a job (its decisions and runs stay readable until garbage collection)."
    )

    @OptionGroup var connection: ConnectionFlags

    @Argument(help: ArgumentHelp("The job.", valueName: "tenant/name"))
    var job: String

    public func validate() throws {
        _ = try jobID(job)
    }

    public func run() async throws {
        let id = try jobID(job)
        let deleted = try await withJobService(connection, command: "delete") { store throws(JobStoreError) in
            try await store.delete(tenant: id.tenant, name: id.name)
        }
        guard deleted else {
            printError("etcron delete: job \(id) not found")
            throw ExitCode(1)
        }
        print("\(id) deleted")
    }
}
