import EtcronCore
import Foundation
import SpawnSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `posix_spawn` of a child in its own process group, with standard input from
/// /dev/null and standard output and error both written to one pipe, and the pipes that
/// carry their output.
enum PosixSpawn {
    /// `posix_spawn` (or a file action) failed with this errno.
    typealias Failure = TargetSpawn.Failure

    /// Starts `path` as the leader of a new process group (see ``TargetSpawn``).
    static func spawn(
        path: String,
        argv: [String],
        environment: [String],
        workingDirectory: String,
        output: Int32
    ) throws(Failure) -> pid_t {
        try TargetSpawn.spawn(path: path, argv: argv, environment: environment, workingDirectory: workingDirectory, output: output).get()
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
