import ArgumentParser
import EtcronCore

/// `etcron suspend TENANT/NAME`: scheduled times are skipped (reason `suspended`) until
/// `etcron resume`.
public struct SuspendCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "suspend",
        abstract: "Suspend a job: its scheduled times are skipped (reason suspended) until it is resumed."
    )

    @OptionGroup var connection: ConnectionFlags

    @Argument(help: ArgumentHelp("The job.", valueName: "tenant/name"))
    var job: String

    public func validate() throws {
        _ = try jobID(job)
    }

    public func run() async throws {
        try await setSuspended(job, true, connection)
    }
}

/// Suspends or resumes `job` and prints `TENANT/NAME suspended|resumed|unchanged`.
func setSuspended(_ job: String, _ suspended: Bool, _ connection: ConnectionFlags) async throws {
    let id = try jobID(job)
    let command = suspended ? "suspend" : "resume"
    let result = try await withJobStore(connection, command: command) { store throws(JobStoreError) in
        try await store.setSuspended(tenant: id.tenant, name: id.name, suspended)
    }
    switch result.outcome {
    case .unchanged: print("\(id) unchanged (already \(suspended ? "suspended" : "active"))")
    default: print("\(id) \(suspended ? "suspended" : "resumed")")
    }
}
