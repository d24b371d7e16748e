import CProcessControl
import EtcronCore
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended.
enum ChildExit: Sendable, Equatable {
    /// It called `exit` with this status.
    case exited(Int32)
    /// This signal ended it.
    case signaled(Int32)
    /// It could not be reaped (something else in the process reaped it); the text says why.
    case unknown(String)

    /// Decodes a `waitpid` status word (the W* macros are not imported into Swift).
    init(waitStatus status: Int32) {
        let signal = status & 0x7F
        self = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }
}

/// A child's exit and the output it wrote.
struct ChildTermination: Sendable {
    /// How the process-group leader ended.
    var exit: ChildExit
    /// When it was seen to end.
    var exitedAt: Date
    /// The last bytes written to its standard output and error.
    var output: OutputRingBuffer
}

/// A child process that leads its own process group, with its combined output captured.
///
/// A dedicated thread serves each child, so nothing blocks Swift's cooperative pool. It
/// drains the pipe into an `OutputRingBuffer`, so a chatty child never blocks on a full
/// pipe and memory stays bounded, and it polls the child's pidfd beside it: once the
/// leader has exited, while it is still an unreaped zombie (so its pid, and with it the
/// group id, cannot be reused), it kills whatever the command left running in its group
/// with SIGKILL, then reaps the leader (no SIGCHLD handler, no `waitpid(-1)`, so children
/// spawned elsewhere in the process, such as the test harness's, are left alone). Reading
/// then stops at end of file, or a short drain window after the exit if a process that left
/// the group still holds the pipe. Output that ends first (the command closed it) leaves
/// the thread waiting for the exit alone.
///
/// Where the kernel has no pidfds (before Linux 5.3, or behind a seccomp filter), two
/// threads serve the child instead: a reaper blocked in `waitid(P_PID, pid, WNOWAIT)`,
/// which does the same once the leader has exited and wakes the reader through a pipe.
///
/// Signals go to the whole group, and only while the leader is unreaped: a pid is never
/// signalled after it may have been recycled.
final class ProcessGroupChild: Sendable {
    /// The leader's pid, which is also the group's id.
    let pid: pid_t

    private struct State: ChildTerminationState {
        var reaped = false
        /// Set by the reaper after its last use of the wake pipe.
        var reaperDone = false
        var exit: ChildExit?
        var exitedAt: Date?
        var output: OutputRingBuffer?
        var waiters: [CheckedContinuation<ChildTermination, Never>] = []

        var termination: ChildTermination? {
            guard reaperDone, let exit, let exitedAt, let output else { return nil }
            return ChildTermination(exit: exit, exitedAt: exitedAt, output: output)
        }
    }

    private let state = Mutex(State())
    /// What tells the reader that the leader has exited: the child's pidfd (`wakeWrite`
    /// is then -1), or a pipe the reaper thread writes a byte to. Closed once the
    /// termination is complete.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init(pid: pid_t, wakeRead: Int32, wakeWrite: Int32) {
        self.pid = pid
        self.wakeRead = wakeRead
        self.wakeWrite = wakeWrite
    }

    /// Spawns `path` (an absolute path) as the leader of a new process group and starts
    /// the thread (or two) that serve it; `usingPidfd` false takes the two threads even
    /// where pidfds work (tests of that path).
    static func spawn(
        path: String,
        argv: [String],
        environment: [String],
        workingDirectory: String,
        outputLimit: Int,
        drainWindow: Duration,
        usingPidfd: Bool = true
    ) throws(PosixSpawn.Failure) -> ProcessGroupChild {
        let output = try PosixSpawn.closeOnExecPipe()
        let pid: pid_t
        do {
            pid = try PosixSpawn.spawn(
                path: path, argv: argv, environment: environment,
                workingDirectory: workingDirectory, output: output.write
            )
        } catch {
            close(output.read)
            close(output.write)
            throw error
        }
        // Only the child (and its descendants) may hold the write end: end of file then
        // means they are all gone.
        close(output.write)
        let outputRead = output.read

        let pidfd = usingPidfd ? etcron_pidfd_open(pid) : -1
        if pidfd >= 0 {
            let child = ProcessGroupChild(pid: pid, wakeRead: pidfd, wakeWrite: -1)
            let server = Thread {
                var exited = false
                let buffer = PipeDrain.drain(outputRead, wakeUp: pidfd, capacity: outputLimit, drainWindow: drainWindow) {
                    child.collectExit(failure: nil)
                    exited = true
                }
                if !exited { child.collectExit(failure: child.waitForExit()) }
                child.finish {
                    $0.reaperDone = true
                    $0.output = buffer
                }
            }
            server.name = "run-\(pid)"  // Linux keeps 15 characters
            server.start()
            return child
        }

        let wake: (read: Int32, write: Int32)
        do {
            wake = try PosixSpawn.closeOnExecPipe()
        } catch {
            // Nothing could tell the reader of the exit: the run ends here, and the child too.
            _ = kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            close(outputRead)
            throw error
        }
        let child = ProcessGroupChild(pid: pid, wakeRead: wake.read, wakeWrite: wake.write)
        let reader = Thread {
            let buffer = PipeDrain.drain(
                outputRead, wakeUp: wake.read, capacity: outputLimit, drainWindow: drainWindow
            )
            child.finish { $0.output = buffer }
        }
        reader.name = "out-\(pid)"
        let reaper = Thread { child.reap() }
        reaper.name = "reap-\(pid)"
        reader.start()
        reaper.start()
        return child
    }

    /// Sends `signal` to every process in the child's group. Returns false (and sends
    /// nothing) once the leader has been reaped.
    @discardableResult
    func signalGroup(_ signal: Int32) -> Bool {
        state.withLock { state in
            guard !state.reaped else { return false }
            return kill(-pid, signal) == 0
        }
    }

    /// Waits until the leader has exited and its output has been drained.
    func termination() async -> ChildTermination {
        await ChildTerminationLatch.wait(state)
    }

    /// The reaper thread's body (without a pidfd).
    private func reap() {
        collectExit(failure: waitForExit())
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        finish { $0.reaperDone = true }
    }

    /// Blocks until the leader has exited, leaving it unreaped; why it cannot wait, if so.
    private func waitForExit() -> String? {
        var info = siginfo_t()
        var result: Int32
        repeat {
            result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
        } while result == -1 && errno == EINTR
        return result == -1 ? String(cString: strerror(errno)) : nil
    }

    /// Once the leader has exited: kills what it left in its group, while it is an
    /// unreaped zombie (its group id is still ours), then reaps it.
    private func collectExit(failure: String?) {
        let exitedAt = Date()
        state.withLock { state in
            if let failure {
                state.exit = .unknown("cannot wait for pid \(pid): \(failure)")
            } else {
                // Nothing it started may outlive the run (KillMode=control-group, in
                // systemd's terms).
                _ = kill(-pid, SIGKILL)
                var status: Int32 = 0
                var reaped: pid_t
                repeat {
                    reaped = waitpid(pid, &status, 0)
                } while reaped == -1 && errno == EINTR
                state.exit = reaped == pid
                    ? ChildExit(waitStatus: status)
                    : .unknown("cannot reap pid \(pid): \(String(cString: strerror(errno)))")
            }
            state.exitedAt = exitedAt
            state.reaped = true
        }
    }

    /// Applies `update` under the lock; when the termination becomes complete, closes the
    /// wake pipe and wakes the waiters. Each thread's last call comes after its last use of
    /// the wake pipe.
    private func finish(_ update: (inout State) -> Void) {
        guard ChildTerminationLatch.update(state, update) else { return }
        close(wakeRead)
        if wakeWrite >= 0 { close(wakeWrite) }
    }
}
