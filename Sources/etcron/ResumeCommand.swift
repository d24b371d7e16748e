import ArgumentParser
import EtcronScheduler

/// `etcron resume TENANT/NAME`: undoes `etcron suspend`.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a suspended job; times skipped while it was suspended stay skipped."
    )

    @OptionGroup var connection: ConnectionFlags

    @Argument(help: ArgumentHelp("The job.", valueName: "tenant/name"))
    var job: String

    func validate() throws {
        _ = try jobID(job)
    }

    func run() async throws {
        try await setSuspended(job, false, connection)
    }
}
