import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps an exec target from outliving its executor.
///
/// An executor killed with SIGKILL (the OOM killer, `kill -9`) cannot stop what it
/// started; the leader then retries the run elsewhere, and the orphaned target would run on
/// beside its retry. So an executor does not start a target itself but through a guard, a
/// small process (`etcron exec-guard`) that leads the run's process group, starts the
/// target in that group and waits for it:
///
/// - Linux's parent-death signal (`PR_SET_PDEATHSIG`) tells the guard when its parent
///   thread ends; the guard then checks `getppid()`, and if its executor process is gone it
///   kills the whole group with SIGKILL (itself included). A parent thread that merely
///   ended while its process lives on changes nothing.
/// - It ignores SIGTERM, which the executor sends to the group to stop a run, so it keeps
///   waiting while the target shuts down, and the executor's SIGKILL after the grace
///   period ends both.
/// - It ends the way the target ended: the same exit status, or the same signal, so the
///   executor sees exactly what it would have seen without it.
public enum ExecGuard {
    /// How an executor starts targets through the guard.
    public struct Launcher: Sendable, Hashable {
        /// The guard's executable (the `etcron` binary, e.g. `/proc/self/exe`).
        public var executable: String
        /// The arguments before the guard's own (e.g. `["etcron", "exec-guard"]`).
        public var prefix: [String]

        /// A launcher running `executable` with `prefix`.
        public init(executable: String, prefix: [String]) {
            self.executable = executable
            self.prefix = prefix
        }

        /// The guard's argv for a target `path` started with `argv` by process `parent`.
        func arguments(parent: pid_t, path: String, argv: [String]) -> [String] {
            prefix + ["--parent-pid", String(parent), "--", path] + argv
        }
    }

    /// The executor process the running guard belongs to (read by its signal handler).
    nonisolated(unsafe) private static var parent: pid_t = 0

    /// The guard's whole life: starts `path` with `argv` (argv[0] included) in this
    /// process's group, waits for it, and exits as it did. `parent` is the executor's pid.
    public static func run(parent: pid_t, path: String, argv: [String]) -> Never {
        Self.parent = parent
        signal(SIGTERM, SIG_IGN)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            // Async-signal-safe: getppid and kill only.
            if getppid() != ExecGuard.parent { kill(0, SIGKILL) }
        }
        sigemptyset(&action.sa_mask)
        sigaction(SIGUSR2, &action, nil)
        if let prctl = Prctl.function { _ = prctl(1 /* PR_SET_PDEATHSIG */, UInt(SIGUSR2), 0, 0, 0) }
        // The executor may have died before the signal was armed.
        if getppid() != parent { kill(0, SIGKILL) }

        var pid: pid_t = 0
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        sigdelset(&allSignals, SIGKILL)
        sigdelset(&allSignals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pointers: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let result = pointers.withUnsafeMutableBufferPointer { buffer in
            posix_spawn(&pid, path, nil, &attributes, buffer.baseAddress!, environ)
        }
        guard result == 0 else {
            let message = "etcron exec-guard: cannot start \(path): \(String(cString: strerror(result)))\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            exit(127)
        }
        var status: Int32 = 0
        var reaped: pid_t
        repeat {
            reaped = waitpid(pid, &status, 0)
        } while reaped == -1 && errno == EINTR
        guard reaped == pid else { exit(127) }
        switch ChildExit(waitStatus: status) {
        case .exited(let code):
            exit(code)
        case .signaled(let number):
            // Die of the same signal, without a core file of the guard's own.
            var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
            setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
            signal(number, SIG_DFL)
            var unblock = sigset_t()
            sigemptyset(&unblock)
            sigaddset(&unblock, number)
            sigprocmask(SIG_UNBLOCK, &unblock, nil)
            raise(number)
            exit(128 + number)
        case .unknown:
            exit(127)
        }
    }
}

/// glibc's variadic `prctl`, called through a fixed-arity pointer (looked up with `dlsym`).
private enum Prctl {
    typealias Function = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    static let function: Function? = {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, "prctl") else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }()
}
