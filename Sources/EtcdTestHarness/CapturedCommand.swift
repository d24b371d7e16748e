import Foundation
import Logging

/// What a one-shot command printed and how it ended.
public struct CommandResult: Sendable {
    public var status: ExitStatus
    public var standardOutput: String
    public var standardError: String
}

/// Runs a short-lived program (etcdctl, openssl) to completion, capturing its output.
///
/// Output goes through files rather than pipes, so a chatty program can never block on a
/// full pipe while we wait for it to exit.
public enum CapturedCommand {
    /// Runs `executable` (an absolute path) with exactly `environment` and returns its
    /// output.
    ///
    /// A timeout or cancellation SIGKILLs the program before throwing.
    public static func run(
        _ executable: String,
        arguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        input: Data? = nil,
        timeout: Duration,
        logger: Logger = Logger(label: "etcron.harness")
    ) async throws -> CommandResult {
        let directory = try HarnessDirectory.makeUnique("command")
        defer { HarnessDirectory.remove(directory) }
        var request = SpawnRequest(
            executable: executable,
            arguments: arguments,
            environment: environment,
            standardOutput: "\(directory)/stdout",
            standardError: "\(directory)/stderr"
        )
        if let input {
            request.standardInput = "\(directory)/stdin"
            guard FileManager.default.createFile(atPath: request.standardInput, contents: input) else {
                throw HarnessError(.fileSystem, "cannot write \(request.standardInput)")
            }
        }
        let command = ManagedProcess.Command(
            executable: executable, arguments: arguments, environment: environment,
            logFile: request.standardOutput
        )
        let process = ManagedProcess(command: command, request: request, logger: logger)
        try await process.start()
        let status: ExitStatus
        do {
            status = try await process.waitForExit(timeout: timeout)
        } catch let error as HarnessError where error.code == .timedOut {
            await process.kill()
            let name = (executable as NSString).lastPathComponent
            let standardError = LogTail.read(request.standardError!, lines: 20)
            throw HarnessError(.timedOut, "\(name) \(arguments.joined(separator: " ")) did not finish within \(timeout); stderr:\n\(standardError)")
        } catch {
            await process.kill()
            throw error
        }
        return CommandResult(
            status: status,
            standardOutput: (try? String(contentsOfFile: request.standardOutput, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: request.standardError!, encoding: .utf8)) ?? ""
        )
    }
}
