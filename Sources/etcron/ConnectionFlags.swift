import ArgumentParser

/// The flags every command that talks to etcd shares. Each has the same name as the
/// `ETCRON_...` environment variable and the config-file key it overrides.
struct ConnectionFlags: ParsableArguments {
    @Option(name: .customLong("config"), help: "YAML file with settings (lowest precedence after defaults).")
    var config: String?

    @Option(name: .customLong("etcd-endpoints"), help: "Comma-separated etcd endpoints (host:port, http:// or https://).")
    var etcdEndpoints: String?

    @Option(name: .customLong("etcd-ca-file"), help: "CA bundle (PEM) for etcd's server certificates; switches TLS on.")
    var etcdCAFile: String?

    @Option(name: .customLong("etcd-cert-file"), help: "Client certificate (PEM) for mutual TLS with etcd.")
    var etcdCertFile: String?

    @Option(name: .customLong("etcd-key-file"), help: "Client key (PEM) for mutual TLS with etcd.")
    var etcdKeyFile: String?

    @Option(name: .customLong("etcd-username"), help: "etcd user (the password comes from --etcd-password-file or ETCRON_ETCD_PASSWORD).")
    var etcdUsername: String?

    @Option(name: .customLong("etcd-password-file"), help: "File holding the etcd user's password.")
    var etcdPasswordFile: String?

    @Option(name: .customLong("key-prefix"), help: "etcd key prefix of every etcron record (default /etcron/).")
    var keyPrefix: String?

    /// The flags actually given, by setting name, for `ReplicaConfiguration.load`.
    var given: [String: String] {
        var flags: [String: String] = [:]
        flags["config"] = config
        flags["etcd-endpoints"] = etcdEndpoints
        flags["etcd-ca-file"] = etcdCAFile
        flags["etcd-cert-file"] = etcdCertFile
        flags["etcd-key-file"] = etcdKeyFile
        flags["etcd-username"] = etcdUsername
        flags["etcd-password-file"] = etcdPasswordFile
        flags["key-prefix"] = keyPrefix
        return flags
    }
}

/// The flags of `etcron operator` beyond the connection.
struct ReplicaFlags: ParsableArguments {
    @OptionGroup var connection: ConnectionFlags

    @Option(name: .customLong("replica-id"), help: "This replica's unique ID (default: the host name).")
    var replicaID: String?

    @Option(name: .customLong("http-listen"), help: "host:port of the HTTP server (/healthz, /readyz, /metrics); port 0 picks one.")
    var httpListen: String?

    @Option(name: .customLong("advertise-address"), help: "host:port others use to reach this replica's HTTP server.")
    var advertiseAddress: String?

    @Option(name: .customLong("lease-ttl"), help: "Session lease TTL in seconds (default 10).")
    var leaseTTL: String?

    @Option(name: .customLong("executor"), help: "true or false: whether this replica executes runs (default true).")
    var executor: String?

    @Option(name: .customLong("scheduler-workers"), help: "Sync workers of the leader's work queue, 1-64 (default 4).")
    var schedulerWorkers: String?

    @Option(name: .customLong("history-retention"), help: "Seconds decisions (and a deleted job's records) are kept (default 604800, 7 days).")
    var historyRetention: String?

    @Option(name: .customLong("history-gc-interval"), help: "Seconds between the leader's history garbage-collection passes (default 600).")
    var historyGCInterval: String?

    @Option(name: .customLong("job-metrics-limit"), help: "Jobs with their own metric series; others count as job=\"_other\" (default 100, 0: none).")
    var jobMetricsLimit: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "text or json.")
    var logFormat: String?

    /// The flags actually given, by setting name.
    var given: [String: String] {
        var flags = connection.given
        flags["replica-id"] = replicaID
        flags["http-listen"] = httpListen
        flags["advertise-address"] = advertiseAddress
        flags["lease-ttl"] = leaseTTL
        flags["executor"] = executor
        flags["scheduler-workers"] = schedulerWorkers
        flags["history-retention"] = historyRetention
        flags["history-gc-interval"] = historyGCInterval
        flags["job-metrics-limit"] = jobMetricsLimit
        flags["log-level"] = logLevel
        flags["log-format"] = logFormat
        return flags
    }
}
