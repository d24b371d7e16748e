import Foundation
import Logging
import Synchronization

/// A real etcd cluster (one or more local `etcd` processes) for tests.
///
/// Each member gets a fresh data directory under a temporary root, free loopback ports
/// and fast raft timings; `start` returns once every member reports healthy over its
/// plain-HTTP metrics port. Always call `shutdown()` (or use `withEtcd`), which SIGKILLs
/// every member and deletes the files; a crashed test run still leaves no etcd behind
/// (see `ManagedProcess`).
public final class EtcdCluster: Sendable {
    /// The configuration the cluster was started with.
    public let configuration: EtcdClusterConfiguration
    /// The members, in order; `members[i].index == i`.
    public let members: [EtcdMember]
    /// The temporary directory holding every member's files and the certificates.
    public let rootDirectory: String
    /// The certificate files, when TLS is on.
    public let certificates: TLSCertificates?
    /// The non-root user with read-write access to all keys, when auth is on.
    public let credentials: EtcdCredentials?
    /// The root user, when auth is on.
    public let rootCredentials: EtcdCredentials?
    /// How long the start took until every member was healthy (and auth set up).
    public let startupDuration: Duration

    private let etcdctlPath: String
    private let isShutDown = Mutex(false)

    private init(
        configuration: EtcdClusterConfiguration, members: [EtcdMember], rootDirectory: String,
        certificates: TLSCertificates?, credentials: EtcdCredentials?, rootCredentials: EtcdCredentials?,
        startupDuration: Duration, etcdctlPath: String
    ) {
        self.configuration = configuration
        self.members = members
        self.rootDirectory = rootDirectory
        self.certificates = certificates
        self.credentials = credentials
        self.rootCredentials = rootCredentials
        self.startupDuration = startupDuration
        self.etcdctlPath = etcdctlPath
    }

    /// Starts a cluster and waits until every member is healthy.
    ///
    /// - Parameters:
    ///   - members: 1 or 3.
    ///   - tls: TLS on the client port; certificates are generated with openssl.
    ///   - auth: when set, enables auth with a root user and this read-write user.
    /// - Throws: `HarnessError` with code `executableNotFound` ("etcd not found on PATH;
    ///   install the etcd-server package"), `unhealthy`/`processExited` (with log tails)
    ///   or `commandFailed` (auth setup).
    public static func start(
        members: Int = 1,
        tls: EtcdTLSMode = .none,
        auth: EtcdCredentials? = nil
    ) async throws -> EtcdCluster {
        try await start(EtcdClusterConfiguration(members: members, tls: tls, auth: auth))
    }

    /// Starts a cluster described by `configuration`; see `start(members:tls:auth:)`.
    public static func start(_ configuration: EtcdClusterConfiguration) async throws -> EtcdCluster {
        guard configuration.members >= 1 else {
            throw HarnessError(.invalidArgument, "a cluster needs at least one member, not \(configuration.members)")
        }
        let etcdPath = try ExecutableLookup.require(configuration.etcdPath ?? "etcd", package: "etcd-server")
        let etcdctlPath = try ExecutableLookup.require(configuration.etcdctlPath ?? "etcdctl", package: "etcd-client")
        let started = ContinuousClock.now
        let root = try HarnessDirectory.makeUnique("cluster")
        do {
            var certificates: TLSCertificates?
            if configuration.tls.isEnabled {
                let directory = "\(root)/tls"
                try HarnessDirectory.create(directory)
                certificates = try await TLSCertificates.generate(
                    in: directory, opensslPath: configuration.opensslPath, logger: configuration.logger
                )
            }
            let launcher = EtcdLauncher(
                configuration: configuration, etcdPath: etcdPath, rootDirectory: root, certificates: certificates
            )
            let members = try await launcher.launch()
            let rootCredentials = configuration.auth.map { user in
                user.username == "root"
                    ? user
                    : EtcdCredentials(username: "root", password: "root-\(UUID().uuidString.prefix(12))")
            }
            let cluster = EtcdCluster(
                configuration: configuration, members: members, rootDirectory: root,
                certificates: certificates, credentials: configuration.auth, rootCredentials: rootCredentials,
                startupDuration: ContinuousClock.now - started, etcdctlPath: etcdctlPath
            )
            if let user = configuration.auth, let rootCredentials {
                do {
                    try await cluster.enableAuth(user: user, root: rootCredentials)
                } catch {
                    await cluster.shutdown()
                    throw error
                }
            }
            configuration.logger.debug(
                "etcd cluster started",
                metadata: [
                    "members": "\(members.count)", "tls": "\(configuration.tls)",
                    "endpoints": "\(cluster.clientEndpoints)", "ms": "\((ContinuousClock.now - started).milliseconds)",
                ]
            )
            return cluster
        } catch {
            if !configuration.keepFilesOnShutdown { HarnessDirectory.remove(root) }
            throw error
        }
    }

    deinit {
        // Safety net for a test that forgot shutdown(): kill now, delete the files.
        guard !isShutDown.withLock({ $0 }) else { return }
        for member in members {
            member.process.killSynchronously()
        }
        if !configuration.keepFilesOnShutdown { HarnessDirectory.remove(rootDirectory) }
    }

    /// Every member's `127.0.0.1:<client port>`.
    public var clientEndpoints: [String] { members.map(\.clientEndpoint) }

    /// The members' client endpoints on `host` (one of the configuration's
    /// `extraClientHosts`).
    public func clientEndpoints(on host: String) -> [String] { members.map { "\(host):\($0.clientPort)" } }

    /// Every member's client URL (`http://` or `https://`).
    public var clientURLs: [String] { members.map(\.clientURL) }

    /// A gRPC C-core target naming every member, `ipv4:127.0.0.1:a,127.0.0.1:b,...`.
    public var grpcTarget: String { "ipv4:" + clientEndpoints.joined(separator: ",") }

    /// etcdctl configured for this cluster: the endpoints of the members that are running
    /// and not frozen by SIGSTOP, the CA (and client certificate under mutual TLS) and the
    /// non-root user's credentials when auth is on.
    /// Call it directly: `try await cluster.etcdctl("get", "k")`.
    public var etcdctl: Etcdctl {
        let running = members.filter { $0.isRunning && !$0.process.isStopped }
        let mutual = configuration.tls == .mutualTLS
        var etcdctl = Etcdctl(
            resolvedExecutable: etcdctlPath,
            endpoints: (running.isEmpty ? members : running).map(\.clientURL),
            logger: configuration.logger
        )
        etcdctl.caCertificate = certificates?.caCertificate
        etcdctl.clientCertificate = mutual ? certificates?.clientCertificate : nil
        etcdctl.clientKey = mutual ? certificates?.clientKey : nil
        etcdctl.credentials = credentials
        return etcdctl
    }

    /// Whether `shutdown()` has run.
    public var hasShutDown: Bool { isShutDown.withLock { $0 } }

    /// SIGKILLs every member, waits for them to exit and deletes the temporary root
    /// (unless `keepFilesOnShutdown`). Safe to call more than once, and completes even in
    /// a cancelled task.
    public func shutdown() async {
        isShutDown.withLock { $0 = true }
        let started = ContinuousClock.now
        await uncancellable { [members, configuration, rootDirectory] in
            await withTaskGroup(of: Void.self) { group in
                for member in members {
                    group.addTask { await member.process.kill() }
                }
            }
            if !configuration.keepFilesOnShutdown { HarnessDirectory.remove(rootDirectory) }
        }
        configuration.logger.debug(
            "etcd cluster shut down",
            metadata: ["root": "\(rootDirectory)", "ms": "\((ContinuousClock.now - started).milliseconds)"]
        )
    }

    /// Throws `shutDown` once `shutdown()` has run.
    func checkNotShutDown(_ action: String) throws {
        if hasShutDown {
            throw HarnessError(.shutDown, "cannot \(action): the cluster was shut down")
        }
    }

    /// The member at `index`, or `invalidArgument`.
    func member(_ index: Int) throws -> EtcdMember {
        guard members.indices.contains(index) else {
            throw HarnessError(.invalidArgument, "no member \(index) in a cluster of \(members.count)")
        }
        return members[index]
    }
}
