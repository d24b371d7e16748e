import Logging

extension ReplicaConfiguration {
    /// Every setting of `etcron operator`, in the order help output should list them.
    ///
    /// The operator command builds its options and help from this list; `load` accepts
    /// exactly these names (by the sources each one allows) and refuses any other.
    public static let settings: [SettingDescription] = [
        SettingDescription(
            name: SettingName.etcdEndpoints,
            help: "Comma-separated etcd endpoints: host:port, http://host:port or https://host:port.",
            valueName: "endpoints",
            defaultDescription: Defaults.etcdEndpoints.joined(separator: ",")
        ),
        SettingDescription(
            name: SettingName.etcdCAFile,
            help: "PEM bundle of the CA that signs etcd's server certificates (switches TLS on).",
            valueName: "path",
            defaultDescription: nil
        ),
        SettingDescription(
            name: SettingName.etcdCertFile,
            help: "PEM client certificate for mutual TLS with etcd; needs etcd-key-file.",
            valueName: "path",
            defaultDescription: nil
        ),
        SettingDescription(
            name: SettingName.etcdKeyFile,
            help: "PEM private key of etcd-cert-file.",
            valueName: "path",
            defaultDescription: nil
        ),
        SettingDescription(
            name: SettingName.etcdUsername,
            help: "etcd user, when etcd has auth enabled; needs a password.",
            valueName: "name",
            defaultDescription: nil
        ),
        SettingDescription(
            name: SettingName.etcdPasswordFile,
            help: "File holding the etcd user's password (a trailing newline is ignored).",
            valueName: "path",
            defaultDescription: nil
        ),
        SettingDescription(
            name: SettingName.etcdPassword,
            help: "The etcd user's password; only from the environment, so it never shows in the process list or a config file.",
            valueName: "password",
            defaultDescription: nil,
            sources: .environment
        ),
        SettingDescription(
            name: SettingName.keyPrefix,
            help: "etcd key prefix under which every etcron record lives; must start with /.",
            valueName: "prefix",
            defaultDescription: Defaults.keyPrefix
        ),
        SettingDescription(
            name: SettingName.replicaID,
            help: "This replica's unique ID (DNS subdomain, at most 253 characters).",
            valueName: "id",
            defaultDescription: "the host name"
        ),
        SettingDescription(
            name: SettingName.httpListen,
            help: "Address the HTTP server (API, /metrics, /healthz, /readyz) listens on; port 0 picks a free port.",
            valueName: "host:port",
            defaultDescription: Defaults.httpListen.description
        ),
        SettingDescription(
            name: SettingName.advertiseAddress,
            help: "Address other replicas and the CLI use to reach this replica's HTTP server.",
            valueName: "host:port",
            defaultDescription: "the host name with the http-listen port"
        ),
        SettingDescription(
            name: SettingName.httpTLSCertFile,
            help: "Certificate chain (PEM) of the HTTP listener, which then speaks HTTPS; re-read when it changes. Needs http-tls-key-file.",
            valueName: "path",
            defaultDescription: nil
        ),
        SettingDescription(
            name: SettingName.httpTLSKeyFile,
            help: "Private key (PEM) of the HTTP listener's certificate; re-read when it changes. Needs http-tls-cert-file.",
            valueName: "path",
            defaultDescription: nil
        ),
        SettingDescription(
            name: SettingName.leaseTTL,
            help: "TTL in seconds (1-3600) of the etcd session lease; a dead leader is replaced after about this long.",
            valueName: "seconds",
            defaultDescription: String(Defaults.leaseTTL)
        ),
        SettingDescription(
            name: SettingName.executor,
            help: "Whether this replica executes runs (true or false); a replica that does not still campaigns and schedules.",
            valueName: "bool",
            defaultDescription: "true"
        ),
        SettingDescription(
            name: SettingName.schedulerWorkers,
            help: "Sync workers of the leader's sharded work queue (1-64); one job is always synced by the same worker.",
            valueName: "count",
            defaultDescription: String(Defaults.schedulerWorkers)
        ),
        SettingDescription(
            name: SettingName.historyRetention,
            help: "Seconds decisions are kept, and a deleted job's records after its last activity (1-315360000); the leader deletes older ones.",
            valueName: "seconds",
            defaultDescription: String(Defaults.historyRetention)
        ),
        SettingDescription(
            name: SettingName.historyGCInterval,
            help: "Seconds between the leader's garbage-collection passes over history (1-86400).",
            valueName: "seconds",
            defaultDescription: String(Defaults.historyGCInterval)
        ),
        SettingDescription(
            name: SettingName.jobMetricsLimit,
            help: "Jobs that get their own metric series (labels tenant and job), first come first served; the rest are counted under job=\"_other\" (0-100000, 0: none).",
            valueName: "count",
            defaultDescription: String(Defaults.jobMetricsLimit)
        ),
        SettingDescription(
            name: SettingName.apiRateLimit,
            help: "Requests per second each /v1 API token may send on average, in bursts of up to twice as many; more are answered 429 with Retry-After (0-1000000, 0: no limit).",
            valueName: "count",
            defaultDescription: String(Defaults.apiRateLimit)
        ),
        SettingDescription(
            name: SettingName.apiMaxBodyBytes,
            help: "The largest /v1 request body in bytes; larger ones are answered 413 (1024-67108864).",
            valueName: "bytes",
            defaultDescription: String(Defaults.apiMaxBodyBytes)
        ),
        SettingDescription(
            name: SettingName.execUser,
            help: "The user exec targets run as (NAME or UID, with :GROUP or :GID; default its primary group), so a job's command cannot read the replica's credentials; needs the replica to run as root. Empty: the replica's own user.",
            valueName: "user[:group]",
            defaultDescription: nil
        ),
        SettingDescription(
            name: SettingName.httpDenyNetworks,
            help: "Comma-separated networks (CIDR) no http target may reach, beyond link-local, unspecified and multicast ones, etcd and the replicas, which are always refused: e.g. 127.0.0.0/8,::1/128,10.96.0.0/12.",
            valueName: "cidr,...",
            defaultDescription: nil
        ),
        SettingDescription(
            name: SettingName.httpConnectionsPerHost,
            help: "Keep-alive connections the executor keeps to each http target host (1-4096); more runs to one host wait for a free one, and start (their timeout too) when their request goes out.",
            valueName: "count",
            defaultDescription: String(Defaults.httpConnectionsPerHost)
        ),
        SettingDescription(
            name: SettingName.apiTokensFile,
            help: "YAML file of the /v1 API's bearer tokens (name, sha256, role, tenants), re-read when it changes; without it /v1 answers 401.",
            valueName: "path",
            defaultDescription: nil
        ),
        SettingDescription(
            name: SettingName.gamedayActions,
            help: "Whether admin tokens may ask this install for gameday actions through /v1/gameday (true or false): the leader steps down or freezes, the executor of a run crashes. Off: those endpoints answer 403.",
            valueName: "bool",
            defaultDescription: "false"
        ),
        SettingDescription(
            name: SettingName.logLevel,
            help: "Lowest log level written: trace, debug, info, notice, warning, error or critical.",
            valueName: "level",
            defaultDescription: Defaults.logLevel.rawValue
        ),
        SettingDescription(
            name: SettingName.logFormat,
            help: "Log line format on stderr: text or json (one object per line).",
            valueName: "format",
            defaultDescription: Defaults.logFormat.rawValue
        ),
        SettingDescription(
            name: SettingName.config,
            help: "YAML file of settings (keys are these setting names); flags and environment override it.",
            valueName: "path",
            defaultDescription: nil,
            sources: [.flag, .environment]
        ),
    ]

    /// The description of the setting called `name`.
    static func setting(named name: String) -> SettingDescription? {
        settings.first { $0.name == name }
    }
}
