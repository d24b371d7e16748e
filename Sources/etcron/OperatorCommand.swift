import ArgumentParser
import EtcdClient
import EtcronAPI
import EtcronCLI
import EtcronCore
import EtcronExecutor
import EtcronReplica
import EtcronScheduler
import EtcronWeb
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `etcron operator`: runs one replica until SIGTERM or SIGINT.
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Run one etcron replica (session, election, leader work, HTTP server).",
        discussion: """
            Every setting can also come from the environment (ETCRON_ plus the flag name in \
            upper case with _ for -, e.g. ETCRON_ETCD_ENDPOINTS) or from the YAML file given \
            with --config (keys are the flag names). Flags win over the environment, which \
            wins over the file. Bad settings exit with status 2.
            """
    )

    @OptionGroup var flags: ReplicaFlags

    func run() async throws {
        let configuration = try loadConfiguration(flags.given)
        bootstrapLogging(format: configuration.log.format, level: configuration.log.level)
        let renderMetrics = bootstrapPrometheus()
        let logger = Logger(label: "etcron.operator")
        let jobMetrics = JobMetrics(limit: configuration.jobMetricsLimit, logger: logger)
        let runnerSettings = try targetSettings(configuration, logger: logger)
        let client = try makeClient(configuration)
        let state = ReplicaState(replicaID: configuration.replicaID)
        let tokens = try apiTokens(configuration, logger: logger)
        CredentialFiles.warnIfReadableByOthers(
            [("api-tokens-file", configuration.apiTokensFile), ("etcd-key-file", configuration.etcd.keyFile),
             ("etcd-password-file", configuration.etcd.passwordFile), ("config", configuration.configFile)],
            logger: logger)
        let api = APIRoutes(
            tokens: tokens, client: client, keys: ReplicaKeys(prefix: configuration.keyPrefix),
            limits: APIRoutes.Limits(
                maxBodyBytes: Int(configuration.apiMaxBodyBytes), requestsPerSecond: Double(configuration.apiRateLimit),
                burst: Int(max(1, configuration.apiRateLimit * 2))),
            gamedayActions: configuration.gamedayActions,
            logger: Logger(label: "etcron.api"))
        var tls: ListenerTLS?
        if let certificate = configuration.http.tlsCertificateFile, let key = configuration.http.tlsKeyFile {
            do {
                tls = try ListenerTLS(certificateFile: certificate, keyFile: key, logger: logger)
            } catch {
                throw UsageFailure(message: error.description)
            }
        }
        let web: WebRoutes
        do {
            web = try WebRoutes(operations: api.operations, replicaID: configuration.replicaID, secureCookies: tls != nil)
        } catch {
            throw UsageFailure(message: "the dashboard's templates do not parse (a bug): \(error)")
        }
        let server = ReplicaHTTPServer(
            listen: configuration.http.listen, state: state, metrics: renderMetrics,
            routes: [RouteRegistration { api.addRoutes(to: $0) }, RouteRegistration { web.addRoutes(to: $0) }], tls: tls, logger: logger)
        let replica = ReplicaService(
            client: client,
            options: ReplicaOptions(
                replicaID: configuration.replicaID,
                address: configuration.http.advertisedAddress(),
                keys: ReplicaKeys(prefix: configuration.keyPrefix),
                leaseTTL: configuration.leaseTTL,
                leaderWork: SchedulerWork(options: schedulerOptions(configuration, jobMetrics: jobMetrics)),
                sessionWork: configuration.executorEnabled
                    ? [ExecutorWork(settings: runnerSettings, jobMetrics: jobMetrics, logger: logger)] : [],
                executesRuns: configuration.executorEnabled,
                gamedayActions: configuration.gamedayActions),
            state: state, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            // Shutdown runs in reverse order: the replica resigns and revokes its session
            // first, while the HTTP server still answers /readyz.
            services: [
                .init(service: server),
                .init(service: replica),
            ] + (tokens.map { [.init(service: $0)] } ?? []) + (tls.map { [.init(service: $0)] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        logger.info("etcron replica starting", metadata: [
            "replica": "\(configuration.replicaID)", "version": "\(EtcronVersion.current)",
            "etcd": "\(client.endpointDescription)", "http": "\(configuration.http.listen)",
        ])
        do {
            try await group.run()
        } catch let error as ReplicaFatalError {
            await client.close()
            throw UsageFailure(message: error.message)
        }
        await client.close()
        logger.info("etcron replica stopped")
    }
}

/// How this replica's executor runs targets: exec targets through `etcron-exec-guard`
/// (installed next to `etcron`), so that none outlives the replica.
/// With `exec-user`, targets run as that user (see ``ExecUser``).
func targetSettings(_ configuration: ReplicaConfiguration, logger: Logger) throws -> TargetRunnerSettings {
    let fence = HTTPFence(
        deniedNetworks: configuration.httpDenyNetworks.compactMap(IPNetwork.init),
        deniedEndpoints: HTTPFence.endpoints(
            configuration.etcd.endpoints + [configuration.http.listen.description, configuration.http.advertisedAddress()]))
    var launcher = ExecGuard.Launcher.besideThisProgram()
    if launcher == nil {
        logger.warning("\(ExecGuard.executableName) is not installed next to etcron: exec targets start without it, and a replica killed with SIGKILL leaves them running")
    }
    if let user = configuration.execUser {
        let runAs = try ExecUser.resolve(user, guardInstalled: launcher != nil)
        launcher?.runAs = runAs
        logger.info("exec targets run as \(user)", metadata: ["uid": "\(runAs.uid)", "gid": "\(runAs.gid)"])
        if let launcher {
            return ExecUser.settings(runAs: runAs, launcher: launcher, fence: fence, httpConnectionsPerHost: configuration.httpConnectionsPerHost)
        }
    }
    return TargetRunnerSettings(execGuard: launcher, httpFence: fence, httpConnectionsPerHost: configuration.httpConnectionsPerHost)
}

/// The `/v1` API's tokens: nil (and a warning) without a token file; a malformed file
/// refuses the start (exit 2), naming every entry and field.
func apiTokens(_ configuration: ReplicaConfiguration, logger: Logger) throws -> APITokenStore? {
    guard let path = configuration.apiTokensFile else {
        logger.warning("no API token file (api-tokens-file): every /v1 request is answered 401")
        return nil
    }
    do {
        let store = try APITokenStore(path: path, logger: logger)
        logger.info("API tokens loaded", metadata: ["path": "\(path)", "tokens": "\(store.book.tokens.count)"])
        return store
    } catch {
        throw UsageFailure(message: "api-tokens-file: \(error)")
    }
}

/// The scheduler's options from the configuration.
func schedulerOptions(_ configuration: ReplicaConfiguration, jobMetrics: JobMetrics? = nil) -> SchedulerWork.Options {
    var options = SchedulerWork.Options()
    options.jobMetrics = jobMetrics
    options.workers = configuration.schedulerWorkers
    options.historyRetention = .seconds(configuration.historyRetention)
    options.historyGCInterval = .seconds(configuration.historyGCInterval)
    return options
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

    @Option(name: .customLong("api-rate-limit"), help: "Requests per second each /v1 token may send on average (default 50, 0: no limit).")
    var apiRateLimit: String?

    @Option(name: .customLong("api-max-body-bytes"), help: "The largest /v1 request body in bytes (default 1048576).")
    var apiMaxBodyBytes: String?

    @Option(name: .customLong("exec-user"), help: "The user[:group] exec targets run as (needs root); default: the replica's own.")
    var execUser: String?

    @Option(name: .customLong("http-tls-cert-file"), help: "Certificate chain (PEM) of the HTTP listener: serve HTTPS (re-read when it changes).")
    var httpTLSCertFile: String?

    @Option(name: .customLong("http-tls-key-file"), help: "Private key (PEM) of the listener's certificate.")
    var httpTLSKeyFile: String?

    @Option(name: .customLong("http-deny-networks"), help: "Comma-separated CIDRs no http target may reach (beyond link-local, etcd and the replicas).")
    var httpDenyNetworks: String?

    @Option(name: .customLong("http-connections-per-host"), help: "Keep-alive connections kept to each http target host, 1-4096 (default 32); more runs to one host wait for one.")
    var httpConnectionsPerHost: String?

    @Option(name: .customLong("api-tokens-file"), help: "YAML file of the /v1 API's bearer tokens (name, sha256, role, tenants); without it /v1 answers 401.")
    var apiTokensFile: String?

    @Option(name: .customLong("gameday-actions"), help: "true or false: accept admin-only gameday actions on /v1/gameday (step down, freeze, crash an executor; default false).")
    var gamedayActions: String?

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
        flags["api-tokens-file"] = apiTokensFile
        flags["exec-user"] = execUser
        flags["http-deny-networks"] = httpDenyNetworks
        flags["http-connections-per-host"] = httpConnectionsPerHost
        flags["http-tls-cert-file"] = httpTLSCertFile
        flags["http-tls-key-file"] = httpTLSKeyFile
        flags["api-rate-limit"] = apiRateLimit
        flags["api-max-body-bytes"] = apiMaxBodyBytes
        flags["gameday-actions"] = gamedayActions
        flags["log-level"] = logLevel
        flags["log-format"] = logFormat
        return flags
    }
}
