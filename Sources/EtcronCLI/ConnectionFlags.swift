import ArgumentParser
import EtcdClient
import EtcronReplica
import Foundation

/// The flags every command that talks to etcd shares. Each has the same name as the
/// `ETCRON_...` environment variable and the config-file key it overrides.
public struct ConnectionFlags: ParsableArguments {
    /// No flags given.
    public init() {}

    @Option(name: .customLong("server"), help: "A replica's URL (http://host:8080): speak its /v1 API with --token instead of etcd (ETCRON_SERVER; default from `etcron login`).")
    var server: String?

    @Option(name: .customLong("token"), help: "The /v1 API token (ETCRON_TOKEN; default from `etcron login`). Prefer the variable: flags show in ps.")
    var token: String?

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
    public var given: [String: String] {
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

/// Loads the configuration from flags, the environment and the config file.
public func loadConfiguration(_ flags: [String: String]) throws -> ReplicaConfiguration {
    do {
        return try ReplicaConfiguration.load(flags: flags, environment: ProcessInfo.processInfo.environment)
    } catch {
        throw UsageFailure(message: error.description)
    }
}

/// An etcd client for the configuration; a bad endpoint or unreadable file exits with 2.
public func makeClient(_ configuration: ReplicaConfiguration) throws -> EtcdClient {
    do {
        return try EtcdClient(configuration: configuration.etcdClientConfiguration)
    } catch {
        throw UsageFailure(message: error.message)
    }
}
