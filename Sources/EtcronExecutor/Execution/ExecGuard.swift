import EtcronCore
import Foundation

/// Keeps exec targets from outliving their executor.
///
/// An executor killed with SIGKILL (the OOM killer, `kill -9`) cannot stop what it
/// started; the leader then retries the run elsewhere, and the orphaned target would run on
/// beside its retry. So an executor starts its targets through `etcron-exec-guard`, a small
/// program (Glibc only) it starts once, with the first exec run, and talks to over a Unix
/// socket (``GuardConnection``): the guard starts each target as the leader of its own
/// process group, reports its pid and exit, and sends the signals that stop it; when the
/// executor process dies, its end of the socket closes and the guard kills every group it
/// runs. See `Sources/etcron-exec-guard`.
public enum ExecGuard {
    /// The guard program's file name; it is installed next to `etcron`.
    public static let executableName = "etcron-exec-guard"

    /// How an executor starts targets through the guard.
    public struct Launcher: Sendable, Hashable {
        /// The guard's executable.
        public var executable: String
        /// The user and group targets run as (the operator setting `exec-user`); nil: the
        /// replica's own.
        public var runAs: RunAs?

        /// A user and group to run targets as.
        public struct RunAs: Sendable, Hashable {
            public var uid: UInt32
            public var gid: UInt32
            public init(uid: UInt32, gid: UInt32) {
                self.uid = uid
                self.gid = gid
            }
        }

        /// A launcher running the guard at `executable`.
        public init(executable: String, runAs: RunAs? = nil) {
            self.executable = executable
            self.runAs = runAs
        }

        /// The guard installed next to the running program, if it is there and executable.
        public static func besideThisProgram() -> Launcher? {
            guard let program = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
            let path = URL(fileURLWithPath: program).deletingLastPathComponent().appendingPathComponent(ExecGuard.executableName).path
            return FileManager.default.isExecutableFile(atPath: path) ? Launcher(executable: path) : nil
        }
    }
}
