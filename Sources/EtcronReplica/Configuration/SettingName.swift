/// The names of the settings, spelled once so the loader, the help text and the errors
/// cannot drift apart.
enum SettingName {
    static let etcdEndpoints = "etcd-endpoints"
    static let etcdCAFile = "etcd-ca-file"
    static let etcdCertFile = "etcd-cert-file"
    static let etcdKeyFile = "etcd-key-file"
    static let etcdUsername = "etcd-username"
    static let etcdPasswordFile = "etcd-password-file"
    static let etcdPassword = "etcd-password"
    static let keyPrefix = "key-prefix"
    static let replicaID = "replica-id"
    static let httpListen = "http-listen"
    static let advertiseAddress = "advertise-address"
    static let leaseTTL = "lease-ttl"
    static let executor = "executor"
    static let schedulerWorkers = "scheduler-workers"
    static let historyRetention = "history-retention"
    static let historyGCInterval = "history-gc-interval"
    static let jobMetricsLimit = "job-metrics-limit"
    static let logLevel = "log-level"
    static let logFormat = "log-format"
    static let config = "config"
}
