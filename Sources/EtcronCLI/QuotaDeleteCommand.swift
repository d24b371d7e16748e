import ArgumentParser
import EtcronCore

/// `etcron quota delete TENANT|--default`.
public struct QuotaDeleteCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a tenant's quota (it falls back to the default), or the default.",
        discussion: "Deleting the default lifts the limits of every tenant without a quota of its own."
    )

    @OptionGroup var connection: ConnectionFlags

    @OptionGroup var target: QuotaScopeArguments

    public func validate() throws {
        _ = try target.scope()
    }

    public func run() async throws {
        let scope = try target.scope()
        let deleted = try await withJobService(connection, command: "quota delete") { store throws(JobStoreError) in
            try await store.deleteQuota(scope)
        }
        guard deleted else {
            printError("etcron quota delete: \(scope) not found")
            throw ExitCode(1)
        }
        print("quota \(scope.label) deleted")
    }
}
