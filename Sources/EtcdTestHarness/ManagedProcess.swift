import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started by the harness: its output goes to a log file, it can be sent
/// real signals, waited for, and restarted with the same command.
///
/// Every child is listed in a process-wide registry and SIGKILLed when the test process
/// exits or receives SIGINT/SIGTERM; on Linux it also dies with the test process if that
/// is SIGKILLed (PR_SET_PDEATHSIG through `setpriv`). Dropping the last reference to a
/// running `ManagedProcess` SIGKILLs it.
public final class ManagedProcess: Sendable {
    /// What to run; kept so that `restart()` runs exactly the same thing again.
    public struct Command: Sendable {
        /// Program name (looked up on PATH) or path.
        public var executable: String
        /// Arguments after the program name.
        public var arguments: [String]
        /// Variables added to (or replacing those of) this process's environment.
        public var environment: [String: String]
        /// Directory to start in; nil keeps the current directory.
        public var workingDirectory: String?
        /// File that standard output and standard error are appended to.
        public var logFile: String

        /// Describes a command; see the properties.
        public init(
            executable: String,
            arguments: [String] = [],
            environment: [String: String] = [:],
            workingDirectory: String? = nil,
            logFile: String
        ) {
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.logFile = logFile
        }
    }

    /// notStarted -> starting -> running -> exited -> starting -> ...; `starting` reverts
    /// to the previous state if the spawn fails.
    private enum State {
        case notStarted
        case starting
        case running(pid_t)
        case exited(pid: pid_t, status: ExitStatus)
    }

    /// The command this process runs.
    public let command: Command
    private let request: SpawnRequest
    private let state = Mutex(State.notStarted)
    private let logger: Logger

    /// Prepares a process without starting it; call `start()`.
    ///
    /// Throws `executableNotFound` if the program cannot be found.
    public convenience init(_ command: Command, logger: Logger = Logger(label: "etcron.harness")) throws {
        let executable = try ExecutableLookup.require(command.executable)
        let request = SpawnRequest(
            executable: executable,
            arguments: command.arguments,
            environment: ProcessInfo.processInfo.environment.merging(command.environment) { $1 },
            workingDirectory: command.workingDirectory,
            standardOutput: command.logFile
        )
        self.init(command: command, request: request, logger: logger)
    }

    init(command: Command, request: SpawnRequest, logger: Logger) {
        self.command = command
        self.request = request
        self.logger = logger
    }

    /// Starts `executable` with `arguments`, appending its output to `logFile`.
    public static func start(
        _ executable: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        logFile: String,
        logger: Logger = Logger(label: "etcron.harness")
    ) async throws -> ManagedProcess {
        let command = Command(
            executable: executable, arguments: arguments, environment: environment,
            workingDirectory: workingDirectory, logFile: logFile
        )
        let process = try ManagedProcess(command, logger: logger)
        try await process.start()
        return process
    }

    deinit {
        // Last resort for a process nobody stopped: never leave it running.
        guard case .running(let pid) = state.withLock({ $0 }) else { return }
        _ = sendSignal(pid, SIGKILL)
        var status: Int32 = 0
        ProcessRegistry.unregister(pid)
        _ = waitpid(pid, &status, 0)
    }

    /// Starts the process. Throws `invalidArgument` if it is already running (or being
    /// started) and `spawnFailed` if `posix_spawn` fails.
    public func start() async throws {
        let previous = try state.withLock { state in
            Self.reapLocked(&state)
            switch state {
            case .running(let pid):
                throw HarnessError(.invalidArgument, "\(name) is already running (pid \(pid))")
            case .starting:
                throw HarnessError(.invalidArgument, "\(name) is already being started")
            case .notStarted, .exited:
                defer { state = .starting }
                return state
            }
        }
        do {
            let pid = try await Spawner.spawn(request)
            state.withLock { $0 = .running(pid) }
            logger.debug("started process", metadata: ["pid": "\(pid)", "command": "\(description)"])
        } catch {
            state.withLock { $0 = previous }
            throw error
        }
    }

    /// The pid of the current (or last) run; nil before the first start.
    public var pid: Int32? {
        switch state.withLock({ $0 }) {
        case .notStarted, .starting: nil
        case .running(let pid): pid
        case .exited(let pid, _): pid
        }
    }

    /// Whether the process has been started and has not exited (a stopped process counts
    /// as running).
    public var isRunning: Bool {
        if case .running = reap() { return true }
        return false
    }

    /// How the last run ended; nil while running or before the first start.
    public var exitStatus: ExitStatus? {
        if case .exited(_, let status) = reap() { return status }
        return nil
    }

    /// Whether the process is frozen by SIGSTOP (Linux only: read from /proc; false
    /// elsewhere or when not running).
    public var isStopped: Bool {
        guard case .running(let pid) = reap(),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.first == "T" || fields.first == "t"
    }

    /// Sends a real signal. Throws `processExited` when the process is not running.
    public func send(_ signal: ProcessSignal) throws {
        // Under the lock: a pid we have not reaped cannot have been reused.
        try state.withLock { state in
            Self.reapLocked(&state)
            guard case .running(let pid) = state else {
                throw HarnessError(.processExited, "cannot send \(signal) to \(name): it is not running")
            }
            guard sendSignal(pid, signal.rawValue) == 0 else {
                throw HarnessError(.signalFailed, "kill(\(pid), \(signal)) failed: \(String(cString: strerror(errno)))")
            }
        }
        logger.debug("sent signal", metadata: ["pid": "\(pid ?? 0)", "signal": "\(signal)"])
    }

    /// Waits until the process exits and returns how it ended.
    ///
    /// Throws `timedOut` (with the log tail) when it is still running after `timeout`,
    /// and `CancellationError` when the task is cancelled.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(10)) async throws -> ExitStatus {
        let deadline = ContinuousClock.now + timeout
        var pause = Duration.milliseconds(1)
        while true {
            switch reap() {
            case .exited(_, let status):
                return status
            case .notStarted:
                throw HarnessError(.invalidArgument, "\(name) was never started")
            case .starting:
                if ContinuousClock.now >= deadline {
                    throw HarnessError(.timedOut, "\(name) still starting after \(timeout)")
                }
            case .running(let pid):
                if ContinuousClock.now >= deadline {
                    throw HarnessError(.timedOut, "\(name) (pid \(pid)) still running after \(timeout); log tail:\n\(tail())")
                }
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(10))
        }
    }

    /// Sends SIGKILL (if running) and waits for the exit, even if the task is cancelled.
    public func kill() async {
        try? send(.kill)
        await uncancellable { [self] in _ = try? await waitForExit(timeout: .seconds(30)) }
    }

    /// Kills the process if it is running, then starts the same command again (new pid,
    /// same log file, which gets a marker line).
    public func restart() async throws {
        await kill()
        appendToLog("==== etcron harness: restarting \(name) ====\n")
        try await start()
    }

    /// The last `lines` lines of the log file, for failure messages.
    public func tail(lines: Int = 30) -> String {
        LogTail.read(command.logFile, lines: lines)
    }

    private var name: String {
        (command.executable as NSString).lastPathComponent
    }

    private var description: String {
        ([command.executable] + command.arguments).joined(separator: " ")
    }

    private func appendToLog(_ text: String) {
        guard let handle = FileHandle(forWritingAtPath: command.logFile) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data(text.utf8))
    }

    /// Collects the exit status if the child has exited; returns the current state.
    private func reap() -> State {
        let result = state.withLock { state in
            let wasRunning = if case .running = state { true } else { false }
            Self.reapLocked(&state)
            return (state, wasRunning)
        }
        if result.1, case .exited(let pid, let status) = result.0 {
            logger.debug("process exited", metadata: ["pid": "\(pid)", "status": "\(status)"])
        }
        return result.0
    }

    private static func reapLocked(_ state: inout State) {
        guard case .running(let pid) = state else { return }
        // Peek without reaping, unregister, then reap: the registry never lists a pid the
        // kernel could already have handed to another process.
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, childPid(info) == pid else {
            return
        }
        ProcessRegistry.unregister(pid)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        state = .exited(pid: pid, status: ExitStatus(waitStatus: status))
    }
}

/// `kill(2)`, named apart from `ManagedProcess.kill()`, which shadows it inside the class.
private func sendSignal(_ pid: pid_t, _ signal: Int32) -> Int32 {
    kill(pid, signal)
}

private func childPid(_ info: siginfo_t) -> pid_t {
    #if canImport(Glibc)
    info._sifields._sigchld.si_pid
    #else
    info.si_pid
    #endif
}

/// Runs `body` in a task that the caller's cancellation does not reach, so that cleanup
/// (waiting for a SIGKILLed child, removing files) finishes even in a cancelled test.
func uncancellable(_ body: @escaping @Sendable () async -> Void) async {
    await Task { await body() }.value
}

extension ManagedProcess {
    /// SIGKILLs and reaps the process without suspending (for `deinit`s); a no-op when it
    /// is not running.
    func killSynchronously() {
        try? send(.kill)
        while isRunning {
            usleep(1000)
        }
    }
}
