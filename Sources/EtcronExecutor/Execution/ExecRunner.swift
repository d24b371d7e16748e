import EtcronCore
import EtcronProto
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs attempts of an exec target: `command` with `args` (no shell in between), as the
/// leader of its own process group, with stdout and stderr captured together.
///
/// A timeout or a stop sends SIGTERM to the whole group, then SIGKILL after the run's
/// `stopGrace`. When the command exits, whatever it left running in its group is killed.
struct ExecRunner: AttemptRunner {
    let target: Etcron_V1_ExecTarget

    /// Why the target can never run, or nil. A command that cannot be found is not such
    /// a problem: it is looked up again on every attempt.
    static func problem(in target: Etcron_V1_ExecTarget) -> String? {
        if target.command.isEmpty { return "exec target: command is empty" }
        if target.command.contains("\0") { return "exec target: command contains a NUL byte" }
        if let index = target.args.firstIndex(where: { $0.contains("\0") }) {
            return "exec target: args[\(index)] contains a NUL byte"
        }
        if target.workingDirectory.contains("\0") { return "exec target: working_directory contains a NUL byte" }
        return ExecEnvironment.problem(in: target.env).map { "exec target: \($0)" }
    }

    func runAttempt(_ context: AttemptContext) async -> AttemptResult {
        let capacity = context.settings.outputLimit
        if let refusal = context.request.policyRefusal { return .notStarted(refusal, capacity: capacity) }
        let environment = ExecEnvironment.merged(
            inherited: context.settings.inheritedEnvironment,
            job: target.env,
            etcron: ExecEnvironment.etcronVariables(for: context.request, attempt: context.number)
        )
        let directory = target.workingDirectory.isEmpty
            ? context.settings.defaultWorkingDirectory : target.workingDirectory
        guard Self.isDirectory(directory) else {
            return .notStarted("working directory \"\(directory)\" does not exist or is not a directory", capacity: capacity)
        }
        let searchPath = environment["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? ExecEnvironment.defaultPath
        let path: String
        switch ExecutableResolver.resolve(target.command, searchPath: searchPath, workingDirectory: directory) {
        case .found(let found): path = found
        case .problem(let problem): return .notStarted(problem, capacity: capacity)
        }

        let startedAt = Date()
        let argv = [target.command] + target.args
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let child: any ExecChild
        if let host = context.settings.guardHost {
            switch await host.start(
                path: path, argv: argv, environment: variables, directory: directory, outputLimit: capacity,
                drainWindow: context.settings.outputDrainWindow)
            {
            case .success(let started): child = started
            case .failure(let failure):
                return .notStarted("cannot start command \"\(target.command)\": \(failure.text)", at: startedAt, capacity: capacity)
            }
        } else {
            do {
                child = try ProcessGroupChild.spawn(
                    path: path, argv: argv, environment: variables, workingDirectory: directory, outputLimit: capacity,
                    drainWindow: context.settings.outputDrainWindow)
            } catch {
                return .notStarted(
                    "cannot start command \"\(target.command)\": \(ExecStartFailure.spawn(error).text)", at: startedAt, capacity: capacity)
            }
        }
        context.logger.debug("attempt started", metadata: ["pid": "\(child.pid)", "attempt": "\(context.number)"])
        let timeout = context.request.attemptTimeout
        let grace = context.request.stopGrace
        let stop = context.stop
        // Unstructured on purpose: cancelling the run's task must not skip the grace
        // period; the stop signal carries that cancellation instead.
        let watchdog = Task { await Self.watch(child, timeout: timeout, grace: grace, stop: stop) }
        await context.didStart(startedAt)
        let termination = await child.termination()
        watchdog.cancel()
        let escalation = await watchdog.value
        let summary = Self.summarize(termination.exit, escalation: escalation, grace: grace)
        return AttemptResult(
            result: summary.result,
            startedAt: startedAt,
            finishedAt: termination.exitedAt,
            exitCode: summary.exitCode,
            signal: summary.signal,
            output: termination.output,
            message: summary.message
        )
    }

    /// What the watchdog did to the process group.
    struct Escalation: Sendable, Equatable {
        var interruption: Interruption
        /// SIGKILL followed SIGTERM because the group outlived the grace period.
        var killed: Bool
    }

    /// Waits for the timeout or a stop, then SIGTERM, grace, SIGKILL. Returns nil if the
    /// attempt ended first (this task was cancelled).
    static func watch(_ child: any ExecChild, timeout: Duration?, grace: Duration, stop: RunStopSignal) async -> Escalation? {
        guard let interruption = await Interruption.next(timeout: timeout, stop: stop) else { return nil }
        _ = await child.signalGroup(SIGTERM)
        do {
            try await Task.sleep(for: grace)
        } catch {
            return Escalation(interruption: interruption, killed: false)
        }
        return Escalation(interruption: interruption, killed: await child.signalGroup(SIGKILL))
    }

    struct Summary: Equatable {
        var result: RunResult
        var message: String
        var exitCode: Int32?
        var signal: Int32?
    }

    /// The attempt's result and message from how the process ended and what was done to it.
    static func summarize(_ exit: ChildExit, escalation: Escalation?, grace: Duration) -> Summary {
        var exitCode: Int32?
        var signal: Int32?
        let ending: String
        switch exit {
        case .exited(let code):
            exitCode = code
            ending = "exit status \(code)"
        case .signaled(let number):
            signal = number
            ending = "killed by \(ExecutionText.signalName(number))"
        case .unknown(let text):
            ending = text
        }
        guard let escalation else {
            return Summary(result: exitCode == 0 ? .succeeded : .failed, message: ending, exitCode: exitCode, signal: signal)
        }
        let ignoredTerm = escalation.killed && signal == SIGKILL
            ? " (SIGTERM was ignored for \(ExecutionText.duration(grace)))" : ""
        let message: String
        switch escalation.interruption {
        case .timedOut(let timeout):
            let after = "the \(ExecutionText.duration(timeout)) timeout"
            message = signal != nil
                ? "\(ending) after \(after)\(ignoredTerm)"
                : "timed out after \(ExecutionText.duration(timeout)); \(ending) after SIGTERM"
        case .stopped(let reason):
            message = signal != nil ? "\(reason): \(ending)\(ignoredTerm)" : "\(reason): \(ending) after SIGTERM"
        }
        return Summary(result: escalation.interruption.result, message: message, exitCode: exitCode, signal: signal)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
