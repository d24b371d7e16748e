import ArgumentParser
import EtcdClient
import EtcdTestHarness
import Foundation

/// `etcron-bench etcd`: throughput of the etcd client over the gRPC C-core bridge against
/// a single local etcd it starts itself (and always stops): sequential, in-flight and
/// transactional puts, watch delivery, lease keep-alives and the client's memory, with
/// python grpcio on the same C core as the baseline measured in the same run.
struct EtcdBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcd",
        abstract: "etcd client throughput (puts, Txns, watch, keep-alives, RSS) against python grpcio."
    )

    @Option(help: "Puts made one at a time.")
    var sequentialPuts = 5_000

    @Option(help: "Puts for the in-flight figure (and the grpcio baseline).")
    var inflightPuts = 50_000

    @Option(help: "Puts kept in flight.")
    var inflight = 64

    @Option(help: "Puts written in Txns.")
    var txnPuts = 200_000

    @Option(help: "Puts per Txn (etcd refuses more than 128).")
    var txnSize = 100

    @Option(help: "Txns kept in flight.")
    var txnInflight = 1

    @Option(help: "Events the watcher must receive (written in Txns).")
    var watchEvents = 100_000

    @Option(help: "Keep-alive messages round-tripped over one stream.")
    var keepalives = 100_000

    @Option(help: "Keep-alives sent ahead of their answers on that stream.")
    var keepaliveWindow = 64

    @Option(help: "Leases kept alive at once through the public keepAlive API (0 skips).")
    var leases = 3_000

    @Option(help: "TTL of those leases in seconds (renewed three times per TTL).")
    var leaseTTL: Int64 = 2

    @Option(help: "Seconds over which their renewals are counted.")
    var leaseSeconds = 5

    @Option(help: "Calls between the two RSS readings.")
    var rssCalls = 100_000

    @Option(help: "Bytes per value.")
    var valueSize = 64

    @Option(help: "The grpcio baseline script (default: scripts/bench/grpcio_put_inflight.py).")
    var grpcioScript: String?

    @Flag(help: "Skip the grpcio baseline (print the reference figures instead).")
    var noBaseline = false

    func run() async throws {
        let figures = EtcdFigures()
        figures.progress("starting etcd")
        try await withEtcd { cluster in
            let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
            do {
                try await measure(client: client, endpoint: cluster.clientEndpoints[0], figures: figures)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }

    private func measure(client: EtcdClient, endpoint: String, figures: EtcdFigures) async throws {
        let value = Data(repeating: UInt8(ascii: "v"), count: valueSize)
        let puts = EtcdPutWorkloads(client: client, value: value, figures: figures)
        try await puts.warmUp()
        // The stream figure is taken on the fresh store: after the write phases etcd renews
        // far more slowly (about a third of the rate after 200,000 Txn puts, with etcd, not
        // the client, busy), and this figure is about the client's stream.
        let keepAlive = EtcdKeepAliveWorkload(client: client, figures: figures)
        try await keepAlive.stream(messages: keepalives, window: keepaliveWindow)
        try await puts.residentMemory(calls: rssCalls)
        try await puts.sequential(count: sequentialPuts)
        let swift = try await puts.concurrent(
            count: inflightPuts, width: inflight, name: "etcd.put.inflight\(inflight)", prefix: "bench/inflight/")
        try await baseline(swift: swift, endpoint: endpoint, figures: figures)
        try await puts.transactions(count: txnPuts, size: txnSize, width: txnInflight)
        try await EtcdWatchWorkload(client: client, value: value, figures: figures)
            .run(count: watchEvents, txnSize: txnSize, txnWidth: txnInflight, limit: .seconds(120))
        // Last: the leases it grants expire after it, which would disturb a later phase.
        if leases > 0 {
            try await keepAlive.publicAPI(leases: leases, ttl: leaseTTL, duration: .seconds(leaseSeconds))
        }
    }

    /// Runs the grpcio baseline right after the Swift in-flight figure (same etcd, same
    /// store size, same keys and values), or prints the reference figures from the notes.
    private func baseline(swift: (rate: Int, cpu: Duration), endpoint: String, figures: EtcdFigures) async throws {
        guard !noBaseline, let script = EtcdGRPCIOBaseline.locateScript(grpcioScript) else {
            if !noBaseline { figures.progress("grpcio baseline skipped: \(EtcdGRPCIOBaseline.scriptPath) not found") }
            EtcdGRPCIOBaseline.printReferences(figures)
            return
        }
        figures.progress("grpcio baseline: \(inflightPuts) puts, \(inflight) in flight")
        guard let grpcio = await EtcdGRPCIOBaseline.run(
            script: script, endpoint: endpoint, count: inflightPuts, width: inflight, valueSize: valueSize,
            figures: figures)
        else {
            EtcdGRPCIOBaseline.printReferences(figures)
            return
        }
        let name = "baseline.grpcio.put.inflight\(inflight)"
        figures.figure(name, "\(grpcio.rate)", "puts/s")
        figures.cpuPerOperation("\(name).client_cpu", grpcio.cpu, operations: inflightPuts, "us/put")
        figures.ratio("etcd.put.inflight\(inflight)_vs_grpcio", Double(swift.rate) / Double(max(grpcio.rate, 1)))
        let swiftCPU = swift.cpu.seconds * Double(inflightPuts)
        figures.ratio("etcd.put.inflight\(inflight)_vs_grpcio.client_cpu", swiftCPU / max(grpcio.cpu.seconds, 1e-9))
    }
}
