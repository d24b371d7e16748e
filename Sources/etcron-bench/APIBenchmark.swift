import ArgumentParser
import Crypto
import EtcdClient
import EtcdTestHarness
import EtcronCore
import Foundation

/// `etcron-bench api`: the `/v1` API's read path under load.
///
/// Starts one etcd and one real `etcron operator` (no executor, no rate limit), registers
/// `--jobs` jobs over `--tenants` tenants (none due during the run), then loads the API
/// with `wrk` (Debian's package, `--connections` keep-alive connections) for each read:
/// one job (`GET /v1/tenants/T/jobs/N`, spec, status and history heads in one Txn) and a
/// page of 100 jobs of one tenant (`GET /v1/jobs?tenant=T&limit=100`), and the dashboard's
/// jobs list (`/`, every tenant, and `/?tenant=T`: 50 jobs with status and newest run,
/// rendered as HTML), signed in with the token's cookie. The baselines, in
/// the same run against the same etcd, are the same reads made straight with etcron's
/// etcd client by `--connections` concurrent tasks: one key's get, the same one-job Txn,
/// and the same page read by the job store.
struct APIBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Requests per second and latency of the /v1 API's reads, against the same reads straight from etcd."
    )

    @Option(help: "Jobs registered.")
    var jobs = 100_000

    @Option(help: "Tenants the jobs are spread over.")
    var tenants = 100

    @Option(help: "Concurrent connections (wrk) and tasks (baselines).")
    var connections = 64

    @Option(help: "Connections (and baseline tasks) of the page's latency run: a page's p99 under moderate load, beside its throughput at --connections.")
    var pageConnections = 4

    @Option(help: "Seconds each load runs.")
    var seconds = 10

    @Option(help: "The etcron executable (default: $ETCRON_BINARY, else etcron next to this executable).")
    var etcron: String?

    func validate() throws {
        guard jobs >= tenants, tenants >= 1 else { throw ValidationError("--jobs must be at least --tenants, which must be at least 1") }
        guard (1...1000).contains(connections) else { throw ValidationError("--connections must be from 1 to 1000") }
        guard (1...600).contains(seconds) else { throw ValidationError("--seconds must be from 1 to 600") }
    }

    func run() async throws {
        let figures = EtcdFigures(label: "api")
        let binary = try FailoverBinary.locate(option: etcron)
        let wrk = try APIWrk.locate()
        try await withBenchEtcd { cluster, client in
            try await measure(cluster: cluster, client: client, binary: binary, wrk: wrk, figures: figures)
        }
    }

    private func measure(cluster: EtcdCluster, client: EtcdClient, binary: String, wrk: APIWrk, figures: EtcdFigures) async throws {
        let keys = JobKeys(ReplicaKeys(prefix: "/etcron/"))
        let bench = SchedulerBenchJobs(client: client, keys: keys, tenants: tenants)
        figures.progress("registering \(jobs) jobs over \(tenants) tenants")
        try await bench.register(0..<jobs, createdAt: Date()) { _ in "0 0 1 1 *" }

        let token = UUID().uuidString
        let digest = SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
        let tokenFile = cluster.rootDirectory + "/bench-tokens.yaml"
        try "tokens:\n  - {name: bench, sha256: \(digest), role: admin}\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let port = try LoopbackPorts.allocate()
        let replica = try await ManagedProcess.start(
            binary,
            arguments: [
                "operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","), "--replica-id", "bench",
                "--http-listen", "127.0.0.1:\(port)", "--executor", "false", "--log-level", "warning",
                "--api-tokens-file", tokenFile, "--api-rate-limit", "0",
            ],
            logFile: cluster.rootDirectory + "/bench-replica.log")
        defer { Task { await replica.kill() } }
        let benchReplica = SchedulerBenchReplica(process: replica, port: port)
        try await benchReplica.waitForLeadership()
        // As leader it first reads and compiles every job (seconds of its and etcd's CPU):
        // the reads below are measured after that.
        figures.progress("waiting for the replica to finish loading \(jobs) jobs")
        _ = try await benchReplica.probe().waitUntilQuiet()

        let tenant = bench.tenant(7)
        let name = SchedulerBenchJobs.name(7)
        let base = "http://127.0.0.1:\(port)"
        figures.progress("warming up")
        _ = try wrk.run("\(base)/v1/tenants/\(tenant)/jobs/\(name)", token: token, connections: connections, seconds: 2)

        figures.progress("GET one job through the API (\(connections) connections, \(seconds) s)")
        let one = try wrk.run("\(base)/v1/tenants/\(tenant)/jobs/\(name)", token: token, connections: connections, seconds: seconds)
        figures.progress("a page of 100 jobs of one tenant through the API")
        let page = try wrk.run("\(base)/v1/jobs?tenant=\(tenant)&limit=100", token: token, connections: connections, seconds: seconds)
        figures.progress("a page of 100 jobs through the API at \(pageConnections) connections")
        let pageLight = try wrk.run("\(base)/v1/jobs?tenant=\(tenant)&limit=100", token: token, connections: pageConnections, seconds: seconds)
        figures.progress("the dashboard's jobs list (50 jobs with status and newest run) at \(pageConnections) connections")
        let cookie = "Cookie: etcron_token=\(token)"
        let webFirst = try wrk.run("\(base)/", header: cookie, connections: pageConnections, seconds: seconds)
        let webTenant = try wrk.run("\(base)/?tenant=\(tenant)", header: cookie, connections: pageConnections, seconds: seconds)
        guard one.non2xx == 0, page.non2xx == 0, pageLight.non2xx == 0, webFirst.non2xx == 0, webTenant.non2xx == 0 else {
            throw FailoverError("the API answered errors under load (\(one.non2xx) + \(page.non2xx)); see \(cluster.rootDirectory)/bench-replica.log")
        }

        let store = JobStore(client: client, keys: keys)
        let specKey = keys.spec(tenant, name)
        figures.progress("the same reads straight from etcd (\(connections) tasks)")
        let directGet = try await ClosedLoop.run(concurrency: connections, seconds: seconds) {
            _ = try await client.get(specKey)
        }
        let directDescribe = try await ClosedLoop.run(concurrency: connections, seconds: seconds) {
            _ = try await store.describe(tenant: tenant, name: name, limit: 1)
        }
        let directPage = try await ClosedLoop.run(concurrency: connections, seconds: seconds) {
            _ = try await store.page(tenants: [tenant], after: nil, limit: 100)
        }
        let directPageLight = try await ClosedLoop.run(concurrency: pageConnections, seconds: seconds) {
            _ = try await store.page(tenants: [tenant], after: nil, limit: 100)
        }
        let directWebAll = try await ClosedLoop.run(concurrency: pageConnections, seconds: seconds) {
            let page = try await store.page(tenants: nil, after: nil, limit: 50)
            _ = try await store.overviews(of: page.jobs.map(\.id))
        }
        let directWeb = try await ClosedLoop.run(concurrency: pageConnections, seconds: seconds) {
            let page = try await store.page(tenants: [tenant], after: nil, limit: 50)
            _ = try await store.overviews(of: page.jobs.map(\.id))
        }

        figures.figure("api_get_job_rps", String(Int(one.requestsPerSecond)), "req/s")
        figures.milliseconds("api_get_job_p50", one.p50)
        figures.milliseconds("api_get_job_p99", one.p99)
        figures.figure("etcd_get_spec_rps", String(Int(directGet.requestsPerSecond)), "req/s")
        figures.milliseconds("etcd_get_spec_p99", directGet.p99)
        figures.figure("etcd_describe_job_rps", String(Int(directDescribe.requestsPerSecond)), "req/s")
        figures.ratio("api_get_job_vs_etcd_get", one.requestsPerSecond / max(directGet.requestsPerSecond, 1))
        figures.ratio("api_get_job_vs_etcd_describe", one.requestsPerSecond / max(directDescribe.requestsPerSecond, 1))
        figures.figure("api_page100_rps", String(Int(page.requestsPerSecond)), "req/s")
        figures.milliseconds("api_page100_p50", page.p50)
        figures.milliseconds("api_page100_p99", page.p99)
        figures.figure("etcd_page100_rps", String(Int(directPage.requestsPerSecond)), "req/s")
        figures.milliseconds("etcd_page100_p99", directPage.p99)
        figures.milliseconds("api_page100_p99_at_\(pageConnections)_connections", pageLight.p99)
        figures.milliseconds("etcd_page100_p99_at_\(pageConnections)_tasks", directPageLight.p99)
        figures.figure("web_jobs_page_rps", String(Int(webFirst.requestsPerSecond)), "req/s")
        figures.milliseconds("web_jobs_page_p50", webFirst.p50)
        figures.milliseconds("web_jobs_page_p99", webFirst.p99)
        figures.milliseconds("etcd_page50_all_tenants_with_overviews_p99", directWebAll.p99)
        figures.ratio("web_jobs_page_vs_etcd_rps", webFirst.requestsPerSecond / max(directWebAll.requestsPerSecond, 1))
        figures.milliseconds("web_tenant_jobs_page_p99", webTenant.p99)
        figures.milliseconds("etcd_page50_with_overviews_p99", directWeb.p99)
        figures.ratio("web_tenant_jobs_page_vs_etcd_rps", webTenant.requestsPerSecond / max(directWeb.requestsPerSecond, 1))
        await replica.kill()
    }
}
