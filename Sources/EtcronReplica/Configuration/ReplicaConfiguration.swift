import Logging

/// Everything `etcron operator` needs to run one replica, as loaded by
/// `ReplicaConfiguration.load(flags:environment:)` from flags, environment variables, an
/// optional YAML file and defaults (in that order of precedence).
///
/// Values here are already validated: files named by the TLS settings were readable at
/// load time, the password has been read from its file, and the key prefix ends in `/`.
public struct ReplicaConfiguration: Sendable, Hashable {
    /// How to reach etcd.
    public struct Etcd: Sendable, Hashable {
        /// Endpoints as given (`host:port`, `http://host:port` or `https://host:port`).
        public var endpoints: [String] = Defaults.etcdEndpoints
        /// PEM CA bundle for etcd's server certificates (`etcd-ca-file`).
        public var caFile: String?
        /// PEM client certificate for mutual TLS (`etcd-cert-file`).
        public var certificateFile: String?
        /// PEM client key for mutual TLS (`etcd-key-file`).
        public var keyFile: String?
        /// The etcd user (`etcd-username`); set exactly when `password` is.
        public var username: String?
        /// The etcd user's password, from `etcd-password-file` or `ETCRON_ETCD_PASSWORD`.
        public var password: String?
        /// The file the password was read from (`etcd-password-file`), if it was.
        public var passwordFile: String?

        /// The defaults: plain-text etcd on `127.0.0.1:2379`, no auth.
        public init() {}
    }

    /// The replica's HTTP server.
    public struct HTTP: Sendable, Hashable {
        /// Where the server listens (`http-listen`); port 0 means any free port.
        public var listen: ListenAddress = Defaults.httpListen
        /// The address others dial (`advertise-address`), nil to derive it; see
        /// `advertisedAddress(boundPort:)`.
        public var advertiseAddress: String?
        /// The listener's certificate chain and key (`http-tls-cert-file`,
        /// `http-tls-key-file`, PEM, both or neither): the server speaks HTTPS with them.
        public var tlsCertificateFile: String?
        public var tlsKeyFile: String?
        /// This machine's host name, from which the advertised address is derived when the
        /// server listens on every interface.
        public var hostname: String = "localhost"

        /// The defaults: listen on `0.0.0.0:8080`, derive the advertised address.
        public init() {}

        /// The address other replicas and the CLI should use: `advertise-address` if set;
        /// otherwise the listen host (or the host name, when listening on every interface)
        /// with the listen port, or with `boundPort` once the server has bound (needed
        /// when `http-listen` asks for port 0).
        public func advertisedAddress(boundPort: Int? = nil) -> String {
            if let advertiseAddress { return advertiseAddress }
            let host = listen.isWildcard ? hostname : listen.host
            return ListenAddress(host: host, port: boundPort ?? listen.port).description
        }
    }

    /// Where and how the replica logs.
    public struct Log: Sendable, Hashable {
        /// The lowest level written (`log-level`).
        public var level: Logger.Level = Defaults.logLevel
        /// Text or JSON lines on stderr (`log-format`).
        public var format: LogFormat = Defaults.logFormat

        /// The defaults: `info`, text.
        public init() {}
    }

    /// The built-in defaults, shared by the properties and the help text.
    enum Defaults {
        static let etcdEndpoints = ["127.0.0.1:2379"]
        static let keyPrefix = "/etcron/"
        static let httpListen = ListenAddress(host: "0.0.0.0", port: 8080)
        static let leaseTTL: Int64 = 10
        static let leaseTTLRange: ClosedRange<Int64> = 1...3600
        static let schedulerWorkers = 4
        static let schedulerWorkersRange: ClosedRange<Int64> = 1...64
        static let historyRetention: Int64 = 7 * 24 * 3600
        static let historyRetentionRange: ClosedRange<Int64> = 1...315_360_000
        static let historyGCInterval: Int64 = 600
        static let historyGCIntervalRange: ClosedRange<Int64> = 1...86_400
        static let jobMetricsLimit = 100
        static let jobMetricsLimitRange: ClosedRange<Int64> = 0...100_000
        static let apiRateLimit: Int64 = 50
        static let apiRateLimitRange: ClosedRange<Int64> = 0...1_000_000
        static let apiMaxBodyBytes: Int64 = 1 << 20
        static let apiMaxBodyBytesRange: ClosedRange<Int64> = 1024...(64 << 20)
        /// The executor's own default (`TargetRunnerSettings.defaultHTTPConnectionsPerHost`).
        static let httpConnectionsPerHost = 32
        static let httpConnectionsPerHostRange: ClosedRange<Int64> = 1...4096
        static let logLevel: Logger.Level = .info
        static let logFormat: LogFormat = .text
    }

    /// etcd connection settings.
    public var etcd = Etcd()
    /// The prefix of every etcron key in etcd (`key-prefix`), starting and ending with `/`.
    public var keyPrefix: String = Defaults.keyPrefix
    /// This replica's unique ID (`replica-id`), a DNS subdomain.
    public var replicaID: String
    /// HTTP server settings.
    public var http = HTTP()
    /// TTL in seconds of the session lease (`lease-ttl`), 1...3600.
    public var leaseTTL: Int64 = Defaults.leaseTTL
    /// Whether this replica runs an executor (`executor`).
    public var executorEnabled = true
    /// Sync workers of the leader's work queue (`scheduler-workers`).
    public var schedulerWorkers = Defaults.schedulerWorkers
    /// Seconds decisions (and a deleted job's records) are kept (`history-retention`).
    public var historyRetention = Defaults.historyRetention
    /// Seconds between garbage-collection passes (`history-gc-interval`).
    public var historyGCInterval = Defaults.historyGCInterval
    /// Jobs with their own metric series (`job-metrics-limit`).
    public var jobMetricsLimit = Defaults.jobMetricsLimit
    /// Requests per second each API token may send on average (`api-rate-limit`; bursts
    /// of twice as many; 0: no limit).
    public var apiRateLimit = Defaults.apiRateLimit
    /// The largest `/v1` request body in bytes (`api-max-body-bytes`); larger is 413.
    public var apiMaxBodyBytes = Defaults.apiMaxBodyBytes
    /// The user (and group) exec targets run as (`exec-user`: a name or a UID, with an
    /// optional `:GROUP`); nil: the replica's own user.
    public var execUser: String?
    /// Networks no http target may reach, beyond the ones etcron always refuses
    /// (`http-deny-networks`, comma-separated CIDRs, e.g. loopback or the cluster's service
    /// range).
    public var httpDenyNetworks: [String] = []
    /// Keep-alive connections the executor keeps per http target host
    /// (`http-connections-per-host`); more requests to one host wait for a free one.
    public var httpConnectionsPerHost = Defaults.httpConnectionsPerHost
    /// The `/v1` API's token file (`api-tokens-file`); nil: the API answers 401.
    public var apiTokensFile: String?
    /// Whether gameday actions (`/v1/gameday/...`: step down, freeze, crash an executor) are
    /// accepted and acted on (`gameday-actions`); off by default.
    public var gamedayActions = false
    /// Logging settings.
    public var log = Log()
    /// The YAML file the configuration was read from (`config`), if any.
    public var configFile: String?

    /// A configuration with every default, for `replicaID`.
    public init(replicaID: String) {
        self.replicaID = replicaID
    }
}

extension ReplicaConfiguration: CustomStringConvertible {
    /// The effective settings as `name=value` pairs, with the password redacted, for a
    /// startup log line.
    public var description: String {
        var fields: [(String, String?)] = [
            (SettingName.etcdEndpoints, etcd.endpoints.joined(separator: ",")),
            (SettingName.etcdCAFile, etcd.caFile),
            (SettingName.etcdCertFile, etcd.certificateFile),
            (SettingName.etcdKeyFile, etcd.keyFile),
            (SettingName.etcdUsername, etcd.username),
        ]
        if etcd.password != nil { fields.append((SettingName.etcdPassword, "<redacted>")) }
        fields += [
            (SettingName.keyPrefix, keyPrefix),
            (SettingName.replicaID, replicaID),
            (SettingName.httpListen, http.listen.description),
            (SettingName.advertiseAddress, http.advertisedAddress()),
            (SettingName.leaseTTL, String(leaseTTL)),
            (SettingName.executor, String(executorEnabled)),
            (SettingName.schedulerWorkers, String(schedulerWorkers)),
            (SettingName.apiTokensFile, apiTokensFile),
            (SettingName.execUser, execUser),
            (SettingName.httpTLSCertFile, http.tlsCertificateFile),
            (SettingName.httpTLSKeyFile, http.tlsKeyFile),
            (SettingName.httpDenyNetworks, httpDenyNetworks.isEmpty ? nil : httpDenyNetworks.joined(separator: ",")),
            (SettingName.httpConnectionsPerHost, String(httpConnectionsPerHost)),
            (SettingName.gamedayActions, gamedayActions ? "true" : nil),
            (SettingName.logLevel, log.level.rawValue),
            (SettingName.logFormat, log.format.rawValue),
            (SettingName.config, configFile),
        ]
        return fields.compactMap { name, value in value.map { "\(name)=\($0)" } }.joined(separator: " ")
    }
}
