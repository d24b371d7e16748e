import EtcdTestHarness
import Foundation

/// One `etcron operator` process of the benchmark, with the port of its HTTP server.
struct FailoverReplica: Sendable {
    /// What `/readyz` reports: the replica's role and, while it leads, its fencing token.
    struct Readiness: Decodable, Sendable {
        /// `starting`, `follower`, `leader` or `stopping`.
        var role: String?
        /// The fencing token of its leadership (0 or absent while it follows).
        var fencingToken: Int64?
    }

    /// Its replica ID, `r1`, `r2`, ...
    let id: String
    /// The port its `/readyz` answers on (127.0.0.1).
    let port: Int
    /// The process; `restart()` runs the same command again on the same port.
    let process: ManagedProcess

    /// What the replica reports on `/readyz`, or nil when it is not ready (status other
    /// than 200) or does not answer within `timeout`.
    func readiness(timeout: Duration = .milliseconds(250)) async -> Readiness? {
        guard let response = try? await HealthProbe.get(port: port, path: "/readyz", timeout: timeout),
            response.status == 200
        else { return nil }
        return try? JSONDecoder().decode(Readiness.self, from: Data(response.body.utf8))
    }
}
