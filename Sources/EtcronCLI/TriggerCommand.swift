import ArgumentParser
import EtcronCore
import Foundation

/// `etcron trigger TENANT/NAME [--note TEXT]`: asks the leader to run the job now.
public struct TriggerCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Run a job now (a manual run; it counts for the concurrency policy).",
        discussion: "Prints the trigger ID; `etcron runs TENANT/NAME` shows the run once the leader has created it."
    )

    @OptionGroup var connection: ConnectionFlags

    @Argument(help: ArgumentHelp("The job.", valueName: "tenant/name"))
    var job: String

    @Option(help: "Why the job is run by hand; kept with the run.")
    var note: String = ""

    public func validate() throws {
        _ = try jobID(job)
        guard note.count <= JobStore.maximumNoteLength else {
            throw ValidationError("--note: is \(note.count) characters long; at most \(JobStore.maximumNoteLength) are allowed")
        }
    }

    public func run() async throws {
        let id = try jobID(job)
        let requestedBy = "\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")@\(ProcessInfo.processInfo.hostName)"
        let triggerID = try await withJobStore(connection, command: "trigger") { store throws(JobStoreError) in
            try await store.trigger(tenant: id.tenant, name: id.name, note: note, requestedBy: String(requestedBy.prefix(JobName.maximumLength)))
        }
        print("\(id) triggered (trigger \(triggerID))")
    }
}
