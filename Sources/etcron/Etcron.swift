import ArgumentParser

/// The `etcron` command line: the operator, the local dev cluster and the client verbs.
@main
struct Etcron: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcron",
        abstract: "A highly-available cron service backed by etcd.",
        subcommands: [
            ScheduleCommand.self,
        ]
    )
}
