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

    public func validate() throws {
        _ = try jobID(job)
    }

    public func run() async throws {
        try await setSuspended(job, false, connection)
    }
}
