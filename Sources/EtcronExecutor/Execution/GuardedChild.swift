import EtcronCore
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exec target started through the replica's exec guard (see ``GuardConnection``).
///
/// The guard is its parent: it reaps it, kills what it left in its group, and reports its
/// exit. The executor holds the read end of its output pipe, which the replica's
/// ``OutputPump`` drains into an `OutputRingBuffer`; reading stops at end of file, or a
/// short drain window after the exit if a process that left the group still holds the pipe.
final class GuardedChild: ExecChild {
    /// The run's id on the guard's socket.
    let id: UInt64
    private let connection: GuardConnection
    private let outputRead: Int32
    private let pump: OutputPump
    /// Its pipe's token at the pump.
    private let token: UInt64
    private let state = Mutex(State())

    private struct State: ChildTerminationState {
        var pid: pid_t = 0
        var exit: ChildExit?
        var exitedAt: Date?
        var output: OutputRingBuffer?
        var waiters: [CheckedContinuation<ChildTermination, Never>] = []

        var termination: ChildTermination? {
            guard let exit, let exitedAt, let output else { return nil }
            return ChildTermination(exit: exit, exitedAt: exitedAt, output: output)
        }
    }

    init(id: UInt64, connection: GuardConnection, outputRead: Int32, pump: OutputPump) {
        self.id = id
        self.connection = connection
        self.outputRead = outputRead
        self.pump = pump
        token = pump.newToken()
    }

    var pid: pid_t { state.withLock { $0.pid } }

    /// The guard started it as `pid`.
    func started(pid: pid_t) {
        state.withLock { $0.pid = pid }
    }

    /// Hands its output pipe to the pump.
    func startDraining(outputLimit: Int, drainWindow: Duration) {
        pump.add(token: token, fd: outputRead, capacity: outputLimit, drainWindow: drainWindow) { [self] buffer in
            finish { $0.output = buffer }
        }
    }

    /// Its leader ended so (reported by the guard, or decided when the guard died).
    func exited(_ exit: ChildExit) {
        pump.exited(token)
        finish {
            $0.exit = exit
            $0.exitedAt = Date()
        }
    }

    func signalGroup(_ signal: Int32) async -> Bool {
        if state.withLock({ $0.exit != nil }) { return false }
        return await connection.signalGroup(of: id, signal)
    }

    func termination() async -> ChildTermination {
        await ChildTerminationLatch.wait(state)
    }

    /// Applies `update` under the lock, waking the waiters once the termination is complete.
    private func finish(_ update: (inout State) -> Void) {
        _ = ChildTerminationLatch.update(state, update)
    }
}
