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

    @Option(help: "Why; recorded with the change (shown by describe).")
    var note: String = ""

    public func validate() throws {
        _ = try jobID(job)
        guard note.count <= JobStore.maximumNoteLength else {
            throw ValidationError("--note: is \(note.count) characters long; at most \(JobStore.maximumNoteLength) are allowed")
        }
    }

    public func run() async throws {
        try await setSuspended(job, true, note: note, connection)
    }
}

/// Suspends or resumes `job` and prints `TENANT/NAME suspended|resumed|unchanged`.
func setSuspended(_ job: String, _ suspended: Bool, note: String, _ connection: ConnectionFlags) async throws {
    let id = try jobID(job)
    let command = suspended ? "suspend" : "resume"
    let result = try await withJobService(connection, command: command) { store throws(JobStoreError) in
        try await store.setSuspended(tenant: id.tenant, name: id.name, suspended, note: note)
    }
    switch result.outcome {
    case .unchanged: print("\(id) unchanged (already \(suspended ? "suspended" : "active"))")
    default: print("\(id) \(suspended ? "suspended" : "resumed")")
    }
}
