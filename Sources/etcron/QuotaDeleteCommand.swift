import ArgumentParser
import EtcronScheduler

/// `etcron quota delete TENANT|--default`.
struct QuotaDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a tenant's quota (it falls back to the default), or the default.",
        discussion: "Deleting the default lifts the limits of every tenant without a quota of its own."
    )

    @OptionGroup var connection: ConnectionFlags

    @OptionGroup var target: QuotaScopeArguments

    func validate() throws {
        _ = try target.scope()
    }

    func run() async throws {
        let scope = try target.scope()
        let deleted = try await withJobStore(connection, command: "quota delete") { store throws(JobStoreError) in
            try await store.deleteQuota(scope)
        }
        guard deleted else {
            printError("etcron quota delete: \(scope) not found")
            throw ExitCode(1)
        }
        print("quota \(scope.label) deleted")
    }
}
