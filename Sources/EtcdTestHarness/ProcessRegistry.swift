import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every child the harness has started and not yet reaped, so that a test run that ends
/// (normally, by `exit`, by SIGINT or by SIGTERM) SIGKILLs whatever is still running.
///
/// The table is a fixed array of atomics because the signal handler may only do
/// async-signal-safe work: no locks, no allocation, just loads and `kill(2)`.
/// Children also die with the harness's spawn thread through PR_SET_PDEATHSIG (see
/// `Spawner`), which covers the test process being SIGKILLed.
enum ProcessRegistry {
    /// How many live children can be tracked; more are still started, only untracked.
    static let capacity = 1024

    private static let table = PidTable(capacity: capacity)
    private static let hooksInstalled = Mutex(false)

    /// Records a freshly started child. Returns false when the table is full.
    @discardableResult
    static func register(_ pid: pid_t) -> Bool {
        installHooksOnce()
        for index in 0..<capacity {
            if table.replace(index, expected: 0, with: pid) {
                return true
            }
        }
        return false
    }

    /// Forgets a child that has exited, before it is reaped (so its pid cannot be reused
    /// while still listed).
    static func unregister(_ pid: pid_t) {
        for index in 0..<capacity {
            if table.replace(index, expected: pid, with: 0) {
                return
            }
        }
    }

    /// The pids currently tracked.
    static var livePids: [pid_t] {
        (0..<capacity).compactMap { index in
            let pid = table.load(index)
            return pid > 0 ? pid : nil
        }
    }

    /// SIGKILLs every tracked child. Async-signal-safe.
    static func killAll() {
        for index in 0..<capacity {
            let pid = table.load(index)
            if pid > 0 {
                _ = kill(pid, SIGKILL)
            }
        }
    }

    private static func installHooksOnce() {
        hooksInstalled.withLock { installed in
            guard !installed else { return }
            installed = true
            // Touch the lazily initialised globals now; the handlers must not be first.
            _ = table
            _ = previousActions
            atexit { ProcessRegistry.killAll() }
            installSignalHandler(SIGINT, slot: 0)
            installSignalHandler(SIGTERM, slot: 1)
        }
    }

    /// The dispositions we replaced, restored by the handler before it re-raises.
    private static let previousActions = SavedActions()

    private static func installSignalHandler(_ signo: Int32, slot: Int) {
        var current = sigaction()
        guard sigaction(signo, nil, &current) == 0 else { return }
        // SIG_IGN means someone wants the signal ignored; don't turn it into a death.
        if signalHandlerIsIgnore(current) { return }
        previousActions.pointer[slot] = current
        var action = sigaction()
        setSignalHandler(&action, harnessSignalHandler)
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        _ = sigaction(signo, &action, nil)
    }

    /// Puts back the disposition that was in place before the harness installed its own.
    /// Async-signal-safe.
    fileprivate static func restorePreviousAction(_ signo: Int32) {
        let slot = signo == SIGINT ? 0 : 1
        _ = sigaction(signo, previousActions.pointer + slot, nil)
    }
}

/// Kills the children, restores the previous disposition and re-raises, so the test
/// process still ends (or runs the previous handler) exactly as it would have.
private func harnessSignalHandler(_ signo: Int32) {
    ProcessRegistry.killAll()
    ProcessRegistry.restorePreviousAction(signo)
    // Blocked while this handler runs; delivered to the restored disposition on return.
    _ = raise(signo)
}

private func signalHandlerIsIgnore(_ action: sigaction) -> Bool {
    #if canImport(Glibc)
    let handler = action.__sigaction_handler.sa_handler
    #else
    let handler = action.__sigaction_u.__sa_handler
    #endif
    guard let handler else { return false }
    return unsafeBitCast(handler, to: Int.self) == 1  // SIG_IGN is ((void (*)(int)) 1)
}

private func setSignalHandler(_ action: inout sigaction, _ handler: @escaping @convention(c) (Int32) -> Void) {
    #if canImport(Glibc)
    action.__sigaction_handler.sa_handler = handler
    #else
    action.__sigaction_u.__sa_handler = handler
    #endif
}

/// A fixed table of atomic pids that a signal handler can scan.
///
/// `@unchecked Sendable`: the memory is allocated once, never freed or resized, and every
/// element is an `Atomic`, so concurrent access from any thread or handler is safe.
private final class PidTable: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Atomic<pid_t>>

    init(capacity: Int) {
        base = .allocate(capacity: capacity)
        for index in 0..<capacity {
            (base + index).initialize(to: Atomic<pid_t>(0))
        }
    }

    func load(_ index: Int) -> pid_t {
        base[index].load(ordering: .sequentiallyConsistent)
    }

    func replace(_ index: Int, expected: pid_t, with desired: pid_t) -> Bool {
        base[index].compareExchange(expected: expected, desired: desired, ordering: .sequentiallyConsistent).exchanged
    }
}

/// Storage for the replaced `sigaction`s of SIGINT and SIGTERM.
///
/// `@unchecked Sendable`: written only under `hooksInstalled`'s lock before the handler is
/// installed, read only by the handler afterwards; never freed.
private final class SavedActions: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<sigaction>

    init() {
        pointer = .allocate(capacity: 2)
        pointer.initialize(repeating: sigaction(), count: 2)
    }
}
