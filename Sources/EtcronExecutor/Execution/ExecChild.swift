#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A running exec target, the leader of its own process group, whether the executor
/// started it itself (``ProcessGroupChild``) or through its exec guard (``GuardedChild``).
protocol ExecChild: Sendable {
    /// The leader's pid, which is also the group's id.
    var pid: pid_t { get }
    /// Sends `signal` to every process in the group. Returns false (and sends nothing)
    /// once the leader has been reaped.
    func signalGroup(_ signal: Int32) async -> Bool
    /// Waits until the leader has exited and its output has been drained.
    func termination() async -> ChildTermination
}

extension ProcessGroupChild: ExecChild {}
