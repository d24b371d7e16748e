import EtcronCore
import ExecGuardWire
import Foundation
import Logging
import SpawnSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One running `etcron-exec-guard --supervise` and the executor's end of its socket.
///
/// Starts and signals are frames written under a lock (a start carries the write end of
/// the run's output pipe); a dedicated thread reads the guard's answers and exits and
/// hands each to whoever waits for it. When the guard ends (killed, or a corrupt frame),
/// every run it was serving ends: their groups are killed (the guard can no longer kill
/// them), their runs fail with the reason, and the next start launches a new guard (see
/// ``ExecGuardHost``).
final class GuardConnection: Sendable {
    /// The guard's pid.
    let guardPID: pid_t
    private let socket: Int32
    private let state = Mutex(State())
    private let sending = Mutex(())
    private let logger: Logger
    /// Drains the runs' output (the host's: it outlives this guard).
    private let pump: OutputPump

    /// How long a write to the guard may block before the guard is deemed stuck and killed.
    static let sendTimeout = Duration.seconds(10)

    private struct State {
        var nextID: UInt64 = 1
        /// Starts sent and not yet answered.
        var starts: [UInt64: CheckedContinuation<Result<GuardedChild, ExecStartFailure>, Never>] = [:]
        /// Runs whose exit has not been reported, started or not yet answered.
        var children: [UInt64: GuardedChild] = [:]
        /// Signals sent and not yet answered, by request id.
        var signals: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        /// Why the guard is gone, once it is.
        var ended: String?
        /// What the guard said last before it ended.
        var fatal: String?
    }

    private init(guardPID: pid_t, socket: Int32, pump: OutputPump, logger: Logger) {
        self.guardPID = guardPID
        self.socket = socket
        self.pump = pump
        self.logger = logger
    }

    /// Starts the guard `launcher` names, with its end of a new socket pair as descriptor 3.
    static func launch(_ launcher: ExecGuard.Launcher, pump: OutputPump, logger: Logger) -> Result<GuardConnection, ExecStartFailure> {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            return .failure(.spawn(TargetSpawn.Failure(errno: errno, what: "socketpair for the exec guard")))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 3)
        GlibcExtensions.closeFrom(&actions, 4)
        let argv = [ExecGuard.executableName, "--supervise"] + (launcher.runAs.map { ["--run-as", "\($0.uid):\($0.gid)"] } ?? [])
        let spawned = CleanSpawn.spawn(path: launcher.executable, argv: argv, environment: [], actions: &actions, newProcessGroup: true)
        close(ends[1])
        let pid: pid_t
        switch spawned {
        case .success(let started): pid = started
        case .failure(let error):
            close(ends[0])
            return .failure(.guardUnavailable("cannot start the exec guard \(launcher.executable): \(ExecutionText.errnoText(error.number))"))
        }
        var timeout = timeval(tv_sec: Int(sendTimeout.components.seconds), tv_usec: 0)
        setsockopt(ends[0], SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connection = GuardConnection(guardPID: pid, socket: ends[0], pump: pump, logger: logger)
        let reader = Thread { connection.readEvents() }
        reader.name = "exec-guard"
        reader.start()
        logger.debug("exec guard started", metadata: ["pid": "\(pid)"])
        return .success(connection)
    }

    deinit {
        close(socket)
    }

    /// Whether the guard is gone (a new one must serve the next start).
    var hasEnded: Bool { state.withLock { $0.ended != nil } }

    /// Starts a target through the guard (see ``TargetSpawn``), its output drained as
    /// ``GuardedChild`` describes.
    func start(
        path: String, argv: [String], environment: [String], directory: String, outputLimit: Int, drainWindow: Duration
    ) async -> Result<GuardedChild, ExecStartFailure> {
        let output: (read: Int32, write: Int32)
        do {
            output = try PosixSpawn.closeOnExecPipe()
        } catch {
            return .failure(.spawn(error))
        }
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<GuardedChild, ExecStartFailure>, Never>) in
            let registered: UInt64? = state.withLock { state in
                guard state.ended == nil else { return nil }
                let id = state.nextID
                state.nextID += 1
                state.starts[id] = continuation
                state.children[id] = GuardedChild(id: id, connection: self, outputRead: output.read, pump: pump)
                return id
            }
            guard let id = registered else {
                continuation.resume(returning: .failure(.guardUnavailable(state.withLock { $0.ended } ?? "the exec guard ended")))
                return
            }
            let request = GuardRequest.start(id: id, path: path, argv: argv, environment: environment, directory: directory)
            let error = send(request.frame, passing: output.write)
            if error != 0 {
                let waiting = state.withLock { state -> CheckedContinuation<Result<GuardedChild, ExecStartFailure>, Never>? in
                    state.children[id] = nil
                    return state.starts.removeValue(forKey: id)
                }
                waiting?.resume(returning: .failure(.guardUnavailable("cannot write to the exec guard: \(ExecutionText.errnoText(error))")))
            }
        }
        // The guard holds its own copy now (or never will): only the target may keep one.
        close(output.write)
        switch result {
        case .success(let child):
            child.startDraining(outputLimit: outputLimit, drainWindow: drainWindow)
        case .failure:
            // The child object, if it was made, was dropped without starting its drain.
            close(output.read)
        }
        return result
    }

    /// Asks the guard to send `signal` to run `id`'s group; whether it was sent.
    func signalGroup(of id: UInt64, _ signal: Int32) async -> Bool {
        await withCheckedContinuation { continuation in
            let request: UInt64? = state.withLock { state in
                guard state.ended == nil else { return nil }
                let request = state.nextID
                state.nextID += 1
                state.signals[request] = continuation
                return request
            }
            guard let request else {
                continuation.resume(returning: false)
                return
            }
            if send(GuardRequest.signal(request: request, run: id, signal: signal).frame) != 0 {
                state.withLock { $0.signals.removeValue(forKey: request) }?.resume(returning: false)
            }
        }
    }

    /// Ends the guard: it kills every group it still runs and exits.
    func shutDown() {
        _ = shutdown(socket, Int32(SHUT_RDWR))
    }

    /// Writes a frame; a write that times out means the guard is stuck, and it is killed
    /// (its runs then end as when it dies). Returns 0 or the errno.
    private func send(_ frame: [UInt8], passing descriptor: Int32? = nil) -> Int32 {
        let error = sending.withLock { _ in GuardSocket.send(socket, frame, passing: descriptor) }
        if error == EAGAIN || error == EWOULDBLOCK {
            logger.error("the exec guard did not read for \(Self.sendTimeout): killing it", metadata: ["pid": "\(guardPID)"])
            _ = kill(guardPID, SIGKILL)
        }
        return error
    }

    /// The reader thread: dispatches the guard's events until it ends.
    private func readEvents() {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        var frames = FrameBuffer()
        var problem: String?
        reading: while true {
            switch GuardSocket.receive(socket, into: &frames, scratch: scratch) {
            case .data(let descriptors):
                for descriptor in descriptors { close(descriptor) }
                do {
                    while let body = try frames.next() { dispatch(try GuardEvent(body: body)) }
                } catch {
                    problem = "sent a corrupt message (\(error))"
                    break reading
                }
            case .endOfFile:
                break reading
            case .failure(let number):
                problem = "could not be read: \(ExecutionText.errnoText(number))"
                break reading
            }
        }
        ended(problem: problem)
    }

    private func dispatch(_ event: GuardEvent) {
        switch event {
        case .started(let id, let pid):
            let waiting = state.withLock { state -> (GuardedChild, CheckedContinuation<Result<GuardedChild, ExecStartFailure>, Never>)? in
                guard let child = state.children[id], let continuation = state.starts.removeValue(forKey: id) else { return nil }
                return (child, continuation)
            }
            guard let (child, continuation) = waiting else { return }
            child.started(pid: pid)
            continuation.resume(returning: .success(child))
        case .failed(let id, let number, let what):
            let waiting = state.withLock { state in
                state.children[id] = nil
                return state.starts.removeValue(forKey: id)
            }
            waiting?.resume(returning: .failure(.spawn(TargetSpawn.Failure(errno: number, what: what))))
        case .exited(let id, let status):
            state.withLock { $0.children.removeValue(forKey: id) }?.exited(ChildExit(waitStatus: status))
        case .signalled(let request, let sent):
            state.withLock { $0.signals.removeValue(forKey: request) }?.resume(returning: sent)
        case .fatal(let text):
            state.withLock { $0.fatal = text }
        }
    }

    /// The guard is gone: kills the groups of the runs it served (nothing else can now),
    /// ends those runs and every waiting start and signal, and reaps it.
    private func ended(problem: String?) {
        if problem != nil { _ = kill(guardPID, SIGKILL) }
        var status: Int32 = 0
        var reaped: pid_t
        repeat {
            reaped = waitpid(guardPID, &status, 0)
        } while reaped == -1 && errno == EINTR
        let how: String
        if let problem {
            how = problem
        } else if let fatal = state.withLock({ $0.fatal }) {
            how = "stopped: \(fatal)"
        } else if reaped != guardPID {
            how = "ended"
        } else {
            switch ChildExit(waitStatus: status) {
            case .exited(0): how = "ended"
            case .exited(let code): how = "exited with status \(code)"
            case .signaled(let number): how = "was killed by \(ExecutionText.signalName(number))"
            case .unknown(let text): how = text
            }
        }
        let reason = "the exec guard (pid \(guardPID)) \(how)"
        let (starts, children, signals) = state.withLock { state in
            state.ended = reason
            defer {
                state.starts = [:]
                state.children = [:]
                state.signals = [:]
            }
            return (state.starts, state.children, state.signals)
        }
        // Shut down, not closed: a start or a signal on another thread may still write to
        // it (and fail); the descriptor is closed when the last user lets go (deinit).
        _ = shutdown(socket, Int32(SHUT_RDWR))
        var killed = 0
        for (id, child) in children where starts[id] == nil {
            let pid = child.pid
            if pid > 0, kill(-pid, SIGKILL) == 0 { killed += 1 }
            child.exited(.unknown("\(reason) while the command ran; its process group was killed"))
        }
        for continuation in starts.values {
            continuation.resume(returning: .failure(.guardUnavailable("\(reason) before it answered")))
        }
        for continuation in signals.values { continuation.resume(returning: false) }
        if !children.isEmpty || problem != nil || state.withLock({ $0.fatal }) != nil {
            logger.error("\(reason); the runs it served failed", metadata: ["runs": "\(children.count)", "groups-killed": "\(killed)"])
        }
    }
}
