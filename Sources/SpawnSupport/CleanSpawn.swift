#if canImport(Glibc)
import Glibc
#endif

/// `posix_spawn` of a child that starts from a clean slate, shared by the executor, the
/// exec guard and the test harness (Glibc only, so the guard stays small).
public enum CleanSpawn {
    /// Spawns `path` with `argv` (argv[0] included) and `environment` (`KEY=value`; nil:
    /// this process's), every signal at its default disposition and none blocked (ignored
    /// and blocked signals survive exec: a parent that ignores SIGPIPE must not pass that
    /// on, and a child that ignores SIGTERM would make stopping it meaningless). With
    /// `newProcessGroup`, the child leads a new process group whose id is its pid, so the
    /// whole tree it starts can be signalled with `kill(-pid, ...)`.
    ///
    /// `ignoredSignals` narrows the reset to the signals the caller knows it ignores (exec
    /// resets handled ones by itself): a caller that knows its dispositions saves a
    /// sigaction call in the child for every other signal (the exec guard, once per run).
    /// - Returns: the pid, or the error number of a failed spawn.
    public static func spawn(
        path: String, argv: [String], environment: [String]?, actions: UnsafePointer<posix_spawn_file_actions_t>?,
        newProcessGroup: Bool, ignoredSignals: [Int32]? = nil
    ) -> Result<pid_t, SpawnError> {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var resetSignals = sigset_t()
        if let ignoredSignals {
            sigemptyset(&resetSignals)
            for signal in ignoredSignals { sigaddset(&resetSignals, signal) }
        } else {
            sigfillset(&resetSignals)
            sigdelset(&resetSignals, SIGKILL)
            sigdelset(&resetSignals, SIGSTOP)
        }
        posix_spawnattr_setsigdefault(&attributes, &resetSignals)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var pid: pid_t = 0
        let result = withCStringArray(argv) { argvPointer in
            if let environment {
                return withCStringArray(environment) { posix_spawn(&pid, path, actions, &attributes, argvPointer, $0) }
            }
            return posix_spawn(&pid, path, actions, &attributes, argvPointer, environ)
        }
        return result == 0 ? .success(pid) : .failure(SpawnError(number: result))
    }

    /// A failed `posix_spawn`: its error number.
    public struct SpawnError: Error, Sendable, Equatable {
        public var number: Int32
    }

    /// Runs `body` with a NULL-terminated C array of copies of `strings`.
    private static func withCStringArray<Value>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Value
    ) -> Value {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
