import ArgumentParser
import EtcronCore

/// `etcron runs TENANT/NAME [--limit N]`: the job's latest runs, newest first.
public struct RunsCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List a job's latest runs, newest first (also after the job is deleted)."
    )

    @OptionGroup var connection: ConnectionFlags

    @Argument(help: ArgumentHelp("The job.", valueName: "tenant/name"))
    var job: String

    @Option(help: "How many runs to show (1 to \(JobStore.maximumHistoryLimit)).")
    var limit: Int = 20

    @OptionGroup var output: OutputOption

    public func validate() throws {
        _ = try jobID(job)
        guard (1...JobStore.maximumHistoryLimit).contains(limit) else {
            throw ValidationError("--limit: must be from 1 to \(JobStore.maximumHistoryLimit), not \(limit)")
        }
    }

    public func run() async throws {
        let id = try jobID(job)
        let runs = try await withJobService(connection, command: "runs") { store throws(JobStoreError) in
            try await store.runs(tenant: id.tenant, name: id.name, limit: limit)
        }
        for record in runs.corrupt {
            printError("warning: skipped a corrupt run record: \(record)")
        }
        let views = runs.values.map(RunView.init)
        if let encoded = try encodeJobOutput(views, as: output.format) {
            print(encoded)
        } else if views.isEmpty {
            printError("no runs of \(id)")
        } else {
            print(runTable(views))
        }
    }
}
