import EtcronCore
import Foundation

/// The environment an exec target starts with.
///
/// Children do not see the replica's whole environment (it may hold credentials): only a
/// few variables are inherited, the job's `env` is merged over them, and etcron's own
/// variables go last, so a job cannot overwrite its run ID.
public enum ExecEnvironment {
    /// PATH when the replica has none.
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Variables inherited from the replica, if set (plus every `LC_*`).
    public static let inheritedNames: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR",
    ]

    /// The part of `environment` that children inherit; PATH is always set.
    public static func minimal(from environment: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var kept = environment.filter { inheritedNames.contains($0.key) || $0.key.hasPrefix("LC_") }
        if kept["PATH", default: ""].isEmpty { kept["PATH"] = defaultPath }
        return kept
    }

    /// The variables etcron gives every child of a run's attempt.
    public static func etcronVariables(for request: RunRequest, attempt: Int) -> [String: String] {
        [
            "ETCRON_RUN_ID": request.runID,
            "ETCRON_JOB": request.job,
            "ETCRON_TENANT": request.tenant,
            "ETCRON_SCHEDULED_TIME": ExecutionText.scheduledTime(unix: request.scheduledUnix),
            "ETCRON_ATTEMPT": String(attempt),
        ]
    }

    /// `inherited`, then the job's `env`, then etcron's variables, each over the previous.
    static func merged(inherited: [String: String], job: [String: String], etcron: [String: String]) -> [String: String] {
        inherited.merging(job) { $1 }.merging(etcron) { $1 }
    }

    /// Why `env` cannot be passed to a process, or nil if it can.
    static func problem(in env: [String: String]) -> String? {
        for (name, value) in env.sorted(by: { $0.key < $1.key }) {
            if name.isEmpty || name.contains("=") || name.contains("\0") {
                return "env: invalid variable name \"\(name)\""
            }
            if value.contains("\0") {
                return "env: the value of \(name) contains a NUL byte"
            }
        }
        return nil
    }
}
