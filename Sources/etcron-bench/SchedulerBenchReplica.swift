import EtcdTestHarness
import Foundation

/// The one `etcron operator` of `etcron-bench scheduler`, with no executor.
struct SchedulerBenchReplica: Sendable {
    let process: ManagedProcess
    let port: Int

    static func start(binary: String, cluster: EtcdCluster, workers: Int) async throws -> SchedulerBenchReplica {
        let port = try LoopbackPorts.allocate()
        let process = try await ManagedProcess.start(
            binary,
            arguments: [
                "operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","),
                "--replica-id", "bench", "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", "10",
                "--executor", "false", "--scheduler-workers", String(workers), "--log-level", "warning",
            ],
            logFile: cluster.rootDirectory + "/bench-replica.log")
        return SchedulerBenchReplica(process: process, port: port)
    }

    /// Waits until the replica reports itself leader on `/readyz`.
    func waitForLeadership(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let response = try? await HealthProbe.get(port: port, path: "/readyz", timeout: .milliseconds(500)),
                response.status == 200, response.body.contains("\"leader\"")
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FailoverError("the replica did not become leader within \(timeout); its log: \(process.tail())")
    }

    func probe() throws -> ProcessProbe {
        guard let pid = process.pid else { throw FailoverError("the replica is not running: \(process.tail())") }
        return ProcessProbe(pid: pid)
    }
}
