import ArgumentParser
import EtcronCore

/// `etcron resume TENANT/NAME`: undoes `etcron suspend`.
public struct ResumeCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a suspended job; times skipped while it was suspended stay skipped."
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
        try await setSuspended(job, false, note: note, connection)
    }
}
