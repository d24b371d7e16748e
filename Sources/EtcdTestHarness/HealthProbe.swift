import Foundation

/// Reads an etcd member's health and metrics over its plain-HTTP metrics listener
/// (`--listen-metrics-urls`), which works whatever TLS the client port uses.
public enum HealthProbe {
    /// GETs `path` from 127.0.0.1:`port` over plain HTTP/1.0.
    public static func get(port: Int, path: String, timeout: Duration = .seconds(2)) async throws -> HTTPResponse {
        try await HTTPGet.get(port: port, path: path, timeout: timeout)
    }

    /// Whether GET /health answers 200 with `{"health":"true"}`. Any error counts as
    /// unhealthy; etcd answers `false` while it has no leader.
    public static func isHealthy(metricsPort: Int, timeout: Duration = .seconds(2)) async -> Bool {
        guard let response = try? await get(port: metricsPort, path: "/health", timeout: timeout),
              response.status == 200 else { return false }
        return Self.healthField(response.body) == "true"
    }

    /// The unlabelled and labelled samples of GET /metrics, keyed by the text before the
    /// value, e.g. `etcd_server_is_leader` or `etcd_server_version{server_version="3.4.23"}`.
    public static func metrics(metricsPort: Int, timeout: Duration = .seconds(2)) async throws -> [String: Double] {
        let response = try await get(port: metricsPort, path: "/metrics", timeout: timeout)
        guard response.status == 200 else {
            throw HarnessError(.http, "GET http://127.0.0.1:\(metricsPort)/metrics answered \(response.status)")
        }
        var samples: [String: Double] = [:]
        for line in response.body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    private struct Health: Decodable {
        var health: String
    }

    static func healthField(_ body: String) -> String? {
        try? JSONDecoder().decode(Health.self, from: Data(body.utf8)).health
    }
}
