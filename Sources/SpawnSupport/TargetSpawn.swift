#if canImport(Glibc)
import Glibc
#endif

/// Starts an exec target: the one way the executor (without a guard) and the exec guard
/// spawn a run's command (Glibc only, so the guard stays small).
public enum TargetSpawn {
    /// `posix_spawn` (or one of its file actions) failed with this errno.
    public struct Failure: Error, Sendable, Equatable {
        public var errno: Int32
        public var what: String
        public init(errno: Int32, what: String) {
            self.errno = errno
            self.what = what
        }
    }

    /// Starts `path` with `argv` (argv[0] included) and exactly `environment`, in
    /// `workingDirectory`, as the leader of a new process group (pgid = pid), from a clean
    /// slate (see ``CleanSpawn``): standard input from /dev/null, standard output and error
    /// both to `output`, and every other descriptor closed, so it inherits none of ours.
    /// `ignoredSignals`: see ``CleanSpawn``.
    public static func spawn(
        path: String, argv: [String], environment: [String], workingDirectory: String, output: Int32, ignoredSignals: [Int32]? = nil
    ) -> Result<pid_t, Failure> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var result = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        guard result == 0 else { return .failure(Failure(errno: result, what: "open /dev/null")) }
        result = posix_spawn_file_actions_adddup2(&actions, output, 1)
        guard result == 0 else { return .failure(Failure(errno: result, what: "redirect standard output")) }
        result = posix_spawn_file_actions_adddup2(&actions, output, 2)
        guard result == 0 else { return .failure(Failure(errno: result, what: "redirect standard error")) }
        GlibcExtensions.closeFrom(&actions, 3)
        result = workingDirectory.withCString { GlibcExtensions.changeDirectory(&actions, $0) }
        guard result == 0 else { return .failure(Failure(errno: result, what: "change directory")) }
        return CleanSpawn.spawn(
            path: path, argv: argv, environment: environment, actions: &actions, newProcessGroup: true, ignoredSignals: ignoredSignals)
            .mapError { Failure(errno: $0.number, what: "posix_spawn") }
    }
}
