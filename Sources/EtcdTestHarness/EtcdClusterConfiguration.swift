import Foundation
import Logging

/// Everything `EtcdCluster.start` needs; every field has a default suited to tests.
public struct EtcdClusterConfiguration: Sendable {
    /// Number of members: 1 or 3 (any positive number works; odd numbers make sense).
    public var members: Int
    /// TLS on the client port.
    public var tls: EtcdTLSMode
    /// When set, auth is enabled after start: a root user (random password, see
    /// `EtcdCluster.rootCredentials`) and this user with read-write access to every key.
    public var auth: EtcdCredentials?
    /// Raft heartbeat; nil picks 10 ms for one member and 25 ms for several.
    public var heartbeatInterval: Duration?
    /// Raft election timeout; nil picks 100 ms for one member and 250 ms for several.
    /// Short timeouts on a loaded 2-core machine make a cluster flap between leaders.
    public var electionTimeout: Duration?
    /// Raft pre-vote, so a member rejoining after a restart does not depose the leader.
    public var preVote: Bool
    /// How long to wait for every member to report healthy.
    public var startTimeout: Duration
    /// How many times to try a start that fails with "address already in use", each time
    /// with fresh ports.
    public var startAttempts: Int
    /// Extra etcd flags appended last (a repeated flag overrides the harness's value).
    public var extraArguments: [String]
    /// Further addresses (besides 127.0.0.1) every member's client port listens on, e.g.
    /// the host side of a veth pair, so processes in another network namespace reach it.
    public var extraClientHosts: [String] = []
    /// etcd program; nil looks up `etcd` on PATH.
    public var etcdPath: String?
    /// etcdctl program; nil looks up `etcdctl` on PATH.
    public var etcdctlPath: String?
    /// openssl program; nil looks up `openssl` on PATH.
    public var opensslPath: String?
    /// Keep the data directories, logs and certificates after shutdown (for debugging a
    /// failed test). Defaults to true when the environment variable
    /// `ETCRON_HARNESS_KEEP_FILES` is `1`.
    public var keepFilesOnShutdown: Bool
    /// Where the harness logs (quietly: routine events are at debug level).
    public var logger: Logger

    /// Creates a configuration; see the properties for the defaults.
    public init(
        members: Int = 1,
        tls: EtcdTLSMode = .none,
        auth: EtcdCredentials? = nil,
        heartbeatInterval: Duration? = nil,
        electionTimeout: Duration? = nil,
        preVote: Bool = true,
        startTimeout: Duration = .seconds(30),
        startAttempts: Int = 3,
        extraArguments: [String] = [],
        etcdPath: String? = nil,
        etcdctlPath: String? = nil,
        opensslPath: String? = nil,
        keepFilesOnShutdown: Bool = ProcessInfo.processInfo.environment["ETCRON_HARNESS_KEEP_FILES"] == "1",
        logger: Logger = Logger(label: "etcron.harness")
    ) {
        self.members = members
        self.tls = tls
        self.auth = auth
        self.heartbeatInterval = heartbeatInterval
        self.electionTimeout = electionTimeout
        self.preVote = preVote
        self.startTimeout = startTimeout
        self.startAttempts = startAttempts
        self.extraArguments = extraArguments
        self.etcdPath = etcdPath
        self.etcdctlPath = etcdctlPath
        self.opensslPath = opensslPath
        self.keepFilesOnShutdown = keepFilesOnShutdown
        self.logger = logger
    }

    /// The heartbeat actually used.
    var effectiveHeartbeat: Duration {
        heartbeatInterval ?? (members == 1 ? .milliseconds(10) : .milliseconds(25))
    }

    /// The election timeout actually used.
    var effectiveElectionTimeout: Duration {
        electionTimeout ?? (members == 1 ? .milliseconds(100) : .milliseconds(250))
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// Milliseconds with a fraction, for logs and measurements.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
