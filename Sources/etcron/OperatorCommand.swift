import ArgumentParser
import EtcdClient
import EtcronReplica
import EtcronScheduler
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
        let client = try makeClient(configuration)
        let state = ReplicaState(replicaID: configuration.replicaID)
        let server = ReplicaHTTPServer(listen: configuration.http.listen, state: state, metrics: renderMetrics, logger: logger)
        let replica = ReplicaService(
            client: client,
            options: ReplicaOptions(
                replicaID: configuration.replicaID,
                address: configuration.http.advertisedAddress(),
                keys: ReplicaKeys(prefix: configuration.keyPrefix),
                leaseTTL: configuration.leaseTTL,
                leaderWork: SchedulerWork(options: schedulerOptions(configuration, jobMetrics: jobMetrics)),
                sessionWork: configuration.executorEnabled
                    ? [ExecutorWork(settings: targetSettings(logger: logger), jobMetrics: jobMetrics, logger: logger)] : [],
                executesRuns: configuration.executorEnabled),
            state: state, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            // Shutdown runs in reverse order: the replica resigns and revokes its session
            // first, while the HTTP server still answers /readyz.
            services: [
                .init(service: server),
                .init(service: replica),
            ],
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

/// The scheduler's options from the configuration.
/// How this replica's executor runs targets: exec targets through `etcron-exec-guard`
/// (installed next to `etcron`), so that none outlives the replica.
func targetSettings(logger: Logger) -> TargetRunnerSettings {
    let launcher = ExecGuard.Launcher.besideThisProgram()
    if launcher == nil {
        logger.warning("\(ExecGuard.executableName) is not installed next to etcron: exec targets start without it, and a replica killed with SIGKILL leaves them running")
    }
    return TargetRunnerSettings(execGuard: launcher)
}

func schedulerOptions(_ configuration: ReplicaConfiguration, jobMetrics: JobMetrics? = nil) -> SchedulerWork.Options {
    var options = SchedulerWork.Options()
    options.jobMetrics = jobMetrics
    options.workers = configuration.schedulerWorkers
    options.historyRetention = .seconds(configuration.historyRetention)
    options.historyGCInterval = .seconds(configuration.historyGCInterval)
    return options
}

/// Loads the configuration from flags, the environment and the config file.
func loadConfiguration(_ flags: [String: String]) throws -> ReplicaConfiguration {
    do {
        return try ReplicaConfiguration.load(flags: flags, environment: ProcessInfo.processInfo.environment)
    } catch {
        throw UsageFailure(message: error.description)
    }
}

/// An etcd client for the configuration; a bad endpoint or unreadable file exits with 2.
func makeClient(_ configuration: ReplicaConfiguration) throws -> EtcdClient {
    do {
        return try EtcdClient(configuration: configuration.etcdClientConfiguration)
    } catch {
        throw UsageFailure(message: error.message)
    }
}
