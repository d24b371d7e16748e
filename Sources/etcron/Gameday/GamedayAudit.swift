import EtcdTestHarness
import Foundation

/// The audit of a repetition's window: `etcron audit` itself, run as its own process
/// against the sandbox's etcd, or through a live install's API (the same check an SRE
/// runs against production).
enum GamedayAudit {
    struct Outcome {
        var clean: Bool
        var invokes: Int
        var violations: [String: Int]
    }

    static func run(sandbox: GamedaySandbox, from: Int64, to: Int64) async throws -> Outcome {
        try await run(
            executable: sandbox.executable, connection: ["--etcd-endpoints", sandbox.cluster.clientEndpoints.joined(separator: ",")],
            tenant: GamedaySandbox.tenant, from: from, to: to)
    }

    /// `etcron audit` of `tenant` over `(from, to]`, connected with `connection` (plus
    /// `environment`, e.g. the token, which is not shown in the process list).
    static func run(
        executable: String, connection: [String], environment: [String: String] = [:], tenant: String, from: Int64, to: Int64
    ) async throws -> Outcome {
        let arguments = ["audit"] + connection + ["--tenant", tenant, "--from", String(from), "--to", String(to), "-o", "json"]
        let result = try await CapturedCommand.run(
            executable, arguments: arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            timeout: .seconds(120))
        let (status, output) = (result.status, result.standardOutput)
        guard let data = output.data(using: .utf8),
            let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw GamedayFailure("etcron audit failed (exit \(status)): \(output.prefix(500)) \(result.standardError.prefix(500))")
        }
        let violations = (report["violations"] as? [String: Int] ?? [:]).filter { $0.value > 0 }
        return Outcome(clean: status.isSuccess && report["clean"] as? Bool == true, invokes: report["invokes"] as? Int ?? 0, violations: violations)
    }
}
