import ArgumentParser
import EtcronCore

/// `etcron quota get [TENANT]`: every quota record, or the quota in force for one tenant.
public struct QuotaGetCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "List every quota, or show the quota in force for one tenant.",
        discussion: """
            With a tenant, shows the quota that applies to it: its own, else the default \
            (SOURCE default), else none. Records that cannot be read count as absent and are \
            reported with a warning on standard error. In JSON and YAML, the default's tenant \
            is "*" and 0 means unlimited.
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @Argument(help: ArgumentHelp("A tenant; every quota when absent.", valueName: "tenant"))
    var tenant: String?

    @OptionGroup var output: OutputOption

    public func validate() throws {
        if let tenant, let reason = JobName.refusal(of: tenant) { throw ValidationError("TENANT: \(reason)") }
    }

    public func run() async throws {
        let list = try await withJobService(connection, command: "quota get") { store throws(JobStoreError) in
            try await store.quotas()
        }
        for record in list.corrupt {
            printError("warning: skipped a corrupt quota record (it counts as absent): \(record)")
        }
        if let tenant {
            let view = QuotaView(tenant: tenant, book: list.book, stored: list.quotas)
            if let encoded = try encodeJobOutput(view, as: output.format) {
                print(encoded)
            } else {
                print(render([view]))
            }
            return
        }
        let views = list.quotas.map(QuotaView.init)
        if let encoded = try encodeJobOutput(views, as: output.format) {
            print(encoded)
        } else if views.isEmpty {
            printError("no quotas (every tenant is unlimited)")
        } else {
            print(render(views))
        }
    }

    private func render(_ views: [QuotaView]) -> String {
        table(
            ["TENANT", "SOURCE", "MAX JOBS", "MAX RUNNING RUNS", "UPDATED", "NOTE"],
            views.map { view in
                [
                    view.tenant == "*" ? QuotaScope.default.label : view.tenant, view.source,
                    limitText(view.maxJobs), limitText(view.maxRunningRuns),
                    view.updatedAt?.rfc3339 ?? "-", view.note ?? "",
                ]
            })
    }
}
