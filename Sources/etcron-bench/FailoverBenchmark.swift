import ArgumentParser
import EtcdClient
import EtcdTestHarness
import Foundation

/// `etcron-bench failover`: how long leadership takes to move when the leader is killed.
///
/// Starts one etcd and `--replicas` real `etcron operator` processes, then `--kills`
/// times kills the current leader, alternating SIGKILL and SIGTERM, and measures the time
/// from the signal to another replica reporting `role: leader` on `/readyz` (polled every
/// 10 ms). The killed replica is restarted and must rejoin as a follower before the next
/// kill. Finally it checks fencing from etcd's own data: every version of the leader
/// heartbeat key, in revision order, must come from the newest leadership so far. The
/// baseline printed with the figures is the design's target: lease TTL + 1 s after
/// SIGKILL, under 1 s after SIGTERM.
struct FailoverBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Leader failover time after SIGKILL and SIGTERM, and fencing checked in etcd's history."
    )

    @Option(help: "Leaders to kill (odd-numbered kills use SIGKILL, even-numbered SIGTERM).")
    var kills = 20

    @Option(help: "Session lease TTL of the replicas, in seconds.")
    var leaseTTL = 2

    @Option(help: "etcron replicas to run.")
    var replicas = 3

    @Option(help: "The etcron executable (default: $ETCRON_BINARY, else etcron next to this executable).")
    var etcron: String?

    /// How long a failover, or the replicas settling after a restart, may take before the
    /// benchmark gives up.
    static let limit = Duration.seconds(30)

    func validate() throws {
        guard kills >= 1 else { throw ValidationError("--kills must be at least 1") }
        guard leaseTTL >= 1 else { throw ValidationError("--lease-ttl must be at least 1 (seconds)") }
        guard replicas >= 2 else { throw ValidationError("--replicas must be at least 2, or nobody can take over") }
    }

    func run() async throws {
        let output = FailoverOutput()
        let binary = try FailoverBinary.locate(option: etcron)
        output.progress("replicas run \(binary)")
        output.progress("starting etcd")
        let result = try await withEtcd { cluster in
            try await measure(cluster: cluster, binary: binary, output: output)
        }
        let fencing = FailoverFencing(history: result.history)
        output.progress("heartbeat history: \(fencing.heartbeats) writes by \(fencing.leaderships) leaderships")
        if fencing.leaderships < kills + 1 {
            output.progress("warning: expected at least \(kills + 1) leaderships in the history, found \(fencing.leaderships)")
        }

        result.sigkill.print("failover.sigkill", to: output)
        result.sigterm.print("failover.sigterm", to: output)
        output.count("failover.kills", kills)
        output.count("failover.fencing_violations", fencing.violations.count)
        output.count("failover.heartbeats_checked", fencing.heartbeats)
        output.figure("failover.lease_ttl", "\(leaseTTL)", "s")
        output.figure("failover.sigkill.target", "\(leaseTTL + 1)", "s")
        output.figure("failover.sigterm.target", "1", "s")

        guard fencing.violations.isEmpty else {
            throw FailoverError("fencing violated: \(fencing.violations.count) heartbeat writes by a deposed leadership:\n\(fencing.report)")
        }
        guard fencing.heartbeats > 0 else {
            throw FailoverError("no heartbeat found at \(FailoverHistory.heartbeatKey): fencing could not be checked")
        }
    }

    /// What one run measured: the failover times by signal and the heartbeat history.
    private struct Result: Sendable {
        var sigkill: FailoverSamples
        var sigterm: FailoverSamples
        var history: [FailoverHeartbeat]
    }

    /// Runs the replicas against `cluster`, kills leaders, stops the replicas (also on
    /// error) and reads the heartbeat history.
    private func measure(cluster: EtcdCluster, binary: String, output: FailoverOutput) async throws -> Result {
        var configuration = EtcdClientConfiguration(endpoints: cluster.clientEndpoints)
        configuration.requestTimeout = .seconds(5)
        let client = try EtcdClient(configuration: configuration)
        output.progress("starting \(replicas) replicas (lease TTL \(leaseTTL) s)")
        let set: FailoverReplicaSet
        do {
            set = try await FailoverReplicaSet.start(
                binary: binary, etcdEndpoints: cluster.clientEndpoints, count: replicas, leaseTTL: leaseTTL,
                logDirectory: cluster.rootDirectory)
        } catch {
            await client.close()
            throw error
        }
        let samples: (sigkill: FailoverSamples, sigterm: FailoverSamples)
        let history: [FailoverHeartbeat]
        do {
            samples = try await killLeaders(set, client: client, output: output)
            await set.stop()
            output.progress("reading every version of \(FailoverHistory.heartbeatKey) from revision 1")
            history = try await FailoverHistory.read(client: client)
        } catch {
            await set.stop()
            await client.close()
            throw error
        }
        await client.close()
        return Result(sigkill: samples.sigkill, sigterm: samples.sigterm, history: history)
    }

    /// The kill loop: kill the leader, time the failover, restart the killed replica and
    /// wait until it follows again.
    private func killLeaders(
        _ set: FailoverReplicaSet, client: EtcdClient, output: FailoverOutput
    ) async throws -> (sigkill: FailoverSamples, sigterm: FailoverSamples) {
        var sigkill = FailoverSamples()
        var sigterm = FailoverSamples()
        output.progress("waiting for a leader")
        var leader = try await settle(set, client: client)
        output.progress("\(set.replicas[leader].id) leads")
        for number in 1...kills {
            let signal: ProcessSignal = number % 2 == 1 ? .kill : .terminate
            let signalName = signal == .kill ? "SIGKILL" : "SIGTERM"
            let victim = set.replicas[leader]
            let sent = ContinuousClock.now
            try victim.process.send(signal)
            guard let successor = try await set.waitForLeader(excluding: leader, limit: Self.limit) else {
                throw FailoverError("""
                    no new leader within \(Self.limit) after \(signalName) of the leader \(victim.id) \
                    (kill \(number) of \(kills), lease TTL \(leaseTTL) s)
                    \(set.logTails())
                    """)
            }
            let elapsed = successor.at - sent
            if signal == .kill { sigkill.append(elapsed) } else { sigterm.append(elapsed) }
            output.progress(
                "kill \(number)/\(kills): \(signalName) of \(victim.id); \(set.replicas[successor.index].id) leads after "
                    + String(format: "%.3f s", elapsed.failoverSeconds))

            if signal == .terminate {
                // It resigned before the successor won; let its graceful shutdown finish.
                do {
                    let exit = try await victim.process.waitForExit(timeout: .seconds(10))
                    if !exit.isSuccess { output.progress("warning: \(victim.id) ended with \(exit) after SIGTERM") }
                } catch {
                    output.progress("warning: \(victim.id) still runs 10 s after SIGTERM; restarting it anyway")
                }
            }
            try await victim.process.restart()
            leader = try await settle(set, client: client)
            if leader != successor.index {
                output.progress("warning: leadership moved on from \(set.replicas[successor.index].id) to \(set.replicas[leader].id)")
            }
        }
        return (sigkill, sigterm)
    }

    /// Waits until one replica leads and every other one follows, then until etcd holds a
    /// heartbeat of that leadership (so every leadership shows in the history that the
    /// fencing check reads); returns the leader's index.
    private func settle(_ set: FailoverReplicaSet, client: EtcdClient) async throws -> Int {
        let leader = try await set.waitForSteadyState(limit: Self.limit)
        guard try await FailoverHistory.waitForHeartbeat(client: client, token: leader.token, limit: Self.limit) else {
            throw FailoverError("""
                \(set.replicas[leader.index].id) reports leadership with fencing token \(leader.token), but no heartbeat \
                with that token reached \(FailoverHistory.heartbeatKey) within \(Self.limit)
                \(set.logTails())
                """)
        }
        return leader.index
    }
}
