import EtcronCLI
import EtcronExecutor
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The operator setting `exec-user`, resolved: `NAME`, `UID`, `NAME:GROUP` or `UID:GID`
/// (a group defaults to the user's primary group) as the user and group exec targets run
/// as. Switching users needs root, and the guard that switches.
enum ExecUser {
    /// The user and group of `setting`.
    /// - Throws: `UsageFailure` naming `exec-user` for an unknown user or group, a replica
    ///   not running as root, or no guard installed.
    static func resolve(_ setting: String, guardInstalled: Bool) throws -> ExecGuard.Launcher.RunAs {
        let parts = setting.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let userPart = parts.first, !userPart.isEmpty, parts.count == 1 || !parts[1].isEmpty else {
            throw UsageFailure(message: "exec-user: \"\(setting)\" must be USER, UID, USER:GROUP or UID:GID")
        }
        let uid: uid_t
        var primaryGroup: gid_t?
        if let entry = getpwnam(userPart) {
            uid = entry.pointee.pw_uid
            primaryGroup = entry.pointee.pw_gid
        } else if let number = UInt32(userPart) {
            uid = number
            primaryGroup = getpwuid(number).map { $0.pointee.pw_gid }
        } else {
            throw UsageFailure(message: "exec-user: there is no user \"\(userPart)\" on this machine")
        }
        let gid: gid_t
        if parts.count == 2 {
            if let group = getgrnam(parts[1]) {
                gid = group.pointee.gr_gid
            } else if let number = UInt32(parts[1]) {
                gid = number
            } else {
                throw UsageFailure(message: "exec-user: there is no group \"\(parts[1])\" on this machine")
            }
        } else if let primaryGroup {
            gid = primaryGroup
        } else {
            throw UsageFailure(message: "exec-user: UID \(userPart) has no entry in the user database; give its group too (UID:GID)")
        }
        if uid == 0 {
            throw UsageFailure(message: "exec-user: \"\(setting)\" is root; name an unprivileged user, or leave the setting out")
        }
        guard geteuid() == 0 else {
            throw UsageFailure(message: "exec-user: switching exec targets to \"\(setting)\" needs the replica to run as root (it runs as UID \(geteuid())); without root, targets already run as the replica's own user")
        }
        guard guardInstalled else {
            throw UsageFailure(message: "exec-user: needs etcron-exec-guard installed next to etcron (it switches the user)")
        }
        return ExecGuard.Launcher.RunAs(uid: uid, gid: gid)
    }

    /// The environment and working directory of targets run as `runAs`: its own HOME,
    /// USER and LOGNAME (from the user database; `/` when it has no home), never the
    /// replica's.
    static func settings(
        runAs: ExecGuard.Launcher.RunAs, launcher: ExecGuard.Launcher, fence: HTTPFence, httpConnectionsPerHost: Int
    ) -> TargetRunnerSettings {
        let entry = getpwuid(runAs.uid)
        let home = entry.map { String(cString: $0.pointee.pw_dir) } ?? "/"
        let name = entry.map { String(cString: $0.pointee.pw_name) } ?? String(runAs.uid)
        var environment = ExecEnvironment.minimal()
        environment["HOME"] = home
        environment["USER"] = name
        environment["LOGNAME"] = name
        var isDirectory: ObjCBool = false
        let directory = FileManager.default.fileExists(atPath: home, isDirectory: &isDirectory) && isDirectory.boolValue ? home : "/"
        return TargetRunnerSettings(
            inheritedEnvironment: environment, defaultWorkingDirectory: directory, execGuard: launcher, httpFence: fence,
            httpConnectionsPerHost: httpConnectionsPerHost)
    }
}

/// Warns at startup about credential files other users may read: the API token file, the
/// etcd client key and password file, and the config file (which may hold the etcd
/// password).
enum CredentialFiles {
    static func warnIfReadableByOthers(_ paths: [(setting: String, path: String?)], logger: Logger) {
        for (setting, path) in paths {
            guard let path, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
            else { continue }
            if mode & 0o007 != 0 {
                logger.warning(
                    "a credential file is readable by other users; make it readable by the replica's user only (chmod 600)",
                    metadata: ["setting": "\(setting)", "path": "\(path)", "mode": "\(String(mode, radix: 8))"])
            }
        }
    }
}
