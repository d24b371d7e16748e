import ArgumentParser
import EtcronScheduler
import Foundation

/// `etcron exec-guard --parent-pid PID -- PATH ARGV0 [ARGS...]`: not for people. An
/// executor starts each exec target through it, so the target cannot outlive the executor
/// (see `ExecGuard`).
struct ExecGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-guard",
        abstract: "Run a command so that it dies with its executor (started by the executor itself).",
        shouldDisplay: false
    )

    @Option(name: .customLong("parent-pid"), help: "The executor's pid.")
    var parentPID: Int32

    @Argument(parsing: .postTerminator, help: "The executable's path, then its argv (argv[0] included).")
    var command: [String]

    func validate() throws {
        guard parentPID > 1 else { throw ValidationError("--parent-pid must be the executor's pid") }
        guard command.count >= 2, command[0].hasPrefix("/") else {
            throw ValidationError("give an absolute executable path and argv[0] after --")
        }
    }

    func run() throws {
        ExecGuard.run(parent: parentPID, path: command[0], argv: Array(command.dropFirst()))
    }
}
