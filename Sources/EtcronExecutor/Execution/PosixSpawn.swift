import EtcronCore
import Foundation
import SpawnSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `posix_spawn` of a child in its own process group, with standard input from
/// /dev/null and standard output and error both written to one pipe.
enum PosixSpawn {
    /// `posix_spawn` (or a file action) failed with this errno.
    struct Failure: Error {
        var errno: Int32
        var what: String
    }

    /// Starts `path` with `argv` (argv[0] included) and exactly `environment`, in
    /// `workingDirectory`, as the leader of a new process group (pgid = pid).
    ///
    /// All signals start at their default disposition and unblocked: ignored and blocked
    /// signals survive exec, and a replica that ignores SIGPIPE must not pass that on.
    /// Every descriptor above 2 is closed in the child, so it inherits none of ours.
    static func spawn(
        path: String,
        argv: [String],
        environment: [String],
        workingDirectory: String,
        output: Int32
    ) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var result = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        guard result == 0 else { throw Failure(errno: result, what: "open /dev/null") }
        result = posix_spawn_file_actions_adddup2(&actions, output, 1)
        guard result == 0 else { throw Failure(errno: result, what: "redirect standard output") }
        result = posix_spawn_file_actions_adddup2(&actions, output, 2)
        guard result == 0 else { throw Failure(errno: result, what: "redirect standard error") }
        if let closeFrom = GlibcExtensions.closeFrom {
            _ = closeFrom(&actions, 3)
        }
        guard let changeDirectory = GlibcExtensions.changeDirectory else {
            throw Failure(errno: ENOSYS, what: "posix_spawn_file_actions_addchdir_np")
        }
        result = workingDirectory.withCString { changeDirectory(&actions, $0) }
        guard result == 0 else { throw Failure(errno: result, what: "change directory") }

        switch CleanSpawn.spawn(path: path, argv: argv, environment: environment, actions: &actions, newProcessGroup: true) {
        case .success(let pid): return pid
        case .failure(let error): throw Failure(errno: error.number, what: "posix_spawn")
        }
    }

    /// A pipe whose two ends are close-on-exec, so that no child spawned concurrently by
    /// another part of the process inherits them.
    static func closeOnExecPipe() throws(Failure) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        if let pipe2 = GlibcExtensions.pipe2 {
            guard pipe2(&ends, O_CLOEXEC) == 0 else { throw Failure(errno: errno, what: "pipe2") }
        } else {
            // No pipe2: a concurrent spawn elsewhere could inherit the ends in this window.
            guard pipe(&ends) == 0 else { throw Failure(errno: errno, what: "pipe") }
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        }
        return (ends[0], ends[1])
    }
}
