import ArgumentParser
import EtcronCLI
import Foundation

/// The `etcron` command line: the operator, the local dev cluster and the client verbs.
@main
struct Etcron: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcron",
        abstract: "A highly-available cron service backed by etcd.",
        subcommands: [
            OperatorCommand.self,
            DevCommand.self,
            GamedayCommand.self,
            StatusCommand.self,
            WhyCommand.self,
            AuditCommand.self,
            ScheduleCommand.self,
            ApplyCommand.self,
            GetCommand.self,
            DescribeCommand.self,
            DeleteCommand.self,
            SuspendCommand.self,
            ResumeCommand.self,
            TriggerCommand.self,
            RunsCommand.self,
            QuotaCommand.self,
            LoginCommand.self,
            CompletionCommand.self,
        ]
    )

    /// Runs the command; every usage or configuration error (unknown flag, bad value,
    /// unreadable file, wrong password) exits with status 2 and a message naming the setting.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as UsageFailure {
            printError("etcron: \(failure.message)")
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
