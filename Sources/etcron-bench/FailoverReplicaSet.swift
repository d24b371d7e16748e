import EtcdTestHarness
import Foundation

/// The `etcron operator` replicas of one benchmark run against one etcd: started
/// together, polled together on `/readyz` every 10 ms, SIGKILLed together at the end.
final class FailoverReplicaSet: Sendable {
    /// One replica's answer to one poll of `/readyz`.
    struct Answer: Sendable {
        /// The replica's index in `replicas`.
        var index: Int
        /// What it reported; nil when it was not ready or did not answer.
        var readiness: FailoverReplica.Readiness?
        /// When the answer arrived.
        var at: ContinuousClock.Instant

        /// The reported role, or nil.
        var role: String? { readiness?.role }
    }

    /// The replicas, `r1` first.
    let replicas: [FailoverReplica]

    /// Time between two polls of every replica's `/readyz`.
    static let pollInterval = Duration.milliseconds(10)

    private init(replicas: [FailoverReplica]) {
        self.replicas = replicas
    }

    /// Starts `count` replicas `r1`...`rN` of `binary` against `etcdEndpoints`, each with
    /// its HTTP server on a free loopback port and its log in `logDirectory`. If one fails
    /// to start, those already started are killed before the error is thrown.
    static func start(
        binary: String, etcdEndpoints: [String], count: Int, leaseTTL: Int, logDirectory: String
    ) async throws -> FailoverReplicaSet {
        var replicas: [FailoverReplica] = []
        do {
            for index in 1...count {
                let id = "r\(index)"
                let port = try LoopbackPorts.allocate()
                let process = try await ManagedProcess.start(
                    binary,
                    arguments: [
                        "operator", "--etcd-endpoints", etcdEndpoints.joined(separator: ","),
                        "--replica-id", id, "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", String(leaseTTL),
                        "--key-prefix", "/etcron/", "--log-level", "info",
                    ],
                    logFile: logDirectory + "/\(id).log")
                replicas.append(FailoverReplica(id: id, port: port, process: process))
            }
        } catch {
            for replica in replicas { await replica.process.kill() }
            throw error
        }
        return FailoverReplicaSet(replicas: replicas)
    }

    /// SIGKILLs every replica and waits for them to exit.
    func stop() async {
        await withTaskGroup(of: Void.self) { group in
            for replica in replicas {
                group.addTask { await replica.process.kill() }
            }
        }
    }

    /// What every replica but `excluded` reports on `/readyz` right now (asked in
    /// parallel), in replica order.
    func poll(excluding excluded: Int? = nil) async -> [Answer] {
        await withTaskGroup(of: Answer.self) { group in
            for (index, replica) in replicas.enumerated() where index != excluded {
                group.addTask {
                    let readiness = await replica.readiness()
                    return Answer(index: index, readiness: readiness, at: ContinuousClock.now)
                }
            }
            var answers: [Answer] = []
            for await answer in group { answers.append(answer) }
            return answers.sorted { $0.index < $1.index }
        }
    }

    /// Waits until exactly one replica reports `leader` (with a fencing token) and every
    /// other one `follower`, and returns the leader's index and token. Throws, with every
    /// role and log tail, after `limit`.
    func waitForSteadyState(limit: Duration) async throws -> (index: Int, token: Int64) {
        let deadline = ContinuousClock.now + limit
        var last: [Answer] = []
        while ContinuousClock.now < deadline {
            let round = ContinuousClock.now
            last = await poll()
            let leaders = last.filter { $0.role == "leader" }
            if leaders.count == 1, let token = leaders[0].readiness?.fencingToken, token > 0,
                last.allSatisfy({ $0.role == "leader" || $0.role == "follower" })
            {
                return (leaders[0].index, token)
            }
            try await Task.sleep(until: round + Self.pollInterval)
        }
        throw FailoverError("""
            the replicas did not settle on one leader and \(replicas.count - 1) followers within \(limit); \
            roles: \(describe(last))
            \(logTails())
            """)
    }

    /// Polls every replica but `excluded` until one reports `leader`, and returns it with
    /// the instant its answer arrived; nil when none does within `limit`.
    func waitForLeader(excluding excluded: Int, limit: Duration) async throws -> (index: Int, at: ContinuousClock.Instant)? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let round = ContinuousClock.now
            let leaders = await poll(excluding: excluded).filter { $0.role == "leader" }
            if let first = leaders.min(by: { $0.at < $1.at }) {
                return (first.index, first.at)
            }
            try await Task.sleep(until: round + Self.pollInterval)
        }
        return nil
    }

    /// `r1=leader r2=follower r3=unready`.
    func describe(_ answers: [Answer]) -> String {
        answers.map { "\(replicas[$0.index].id)=\($0.role ?? "unready")" }.joined(separator: " ")
    }

    /// The last lines of every replica's log, for error messages.
    func logTails(lines: Int = 20) -> String {
        replicas.map { "---- \($0.id) log (last \(lines) lines):\n\($0.process.tail(lines: lines))" }
            .joined(separator: "\n")
    }
}
