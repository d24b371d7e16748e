import EtcronCLI
import Foundation

/// `etcron gameday --server`: the scenarios that map onto the install's gameday actions,
/// each repeated, against its own probe jobs; the others skipped with the reason.
struct GamedayServerRun {
    let server: String
    let token: String
    let tenant: String
    let probeURL: String
    let jobs: Int
    let leaseTTL: Int
    let repetitions: Int
    let say: @Sendable (String) -> Void

    func run(_ scenarios: [GamedayScenario]) async throws -> GamedayReport {
        var skipped: [String: String] = [:]
        for scenario in scenarios where scenario.serverAction == nil {
            skipped[scenario.rawValue] = "needs signals, etcd members or network namespaces of its own: rehearse it with --local"
            say("skipping \(scenario.rawValue) in server mode: \(skipped[scenario.rawValue]!)")
        }
        let runnable = scenarios.filter { $0.serverAction != nil }
        guard !runnable.isEmpty else { return GamedayReport(results: [], skipped: skipped) }
        let client = try GamedayClient(server: server, token: token)
        let probes = GamedayServerProbes(client: client, tenant: tenant, count: jobs)
        say("writing \(jobs) probe job(s) every second and \(GamedayServerProbes.longRun) into tenant \(tenant) (http GET \(probeURL))")
        try await probes.apply(url: probeURL)
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let (server, token, tenant) = (server, token, tenant)
        let rehearsal = GamedayServerRehearsal(
            client: client, probes: probes, leaseTTL: leaseTTL,
            audit: { from, to in
                try await GamedayAudit.run(
                    executable: executable, connection: ["--server", server], environment: ["ETCRON_TOKEN": token], tenant: tenant, from: from, to: to)
            },
            say: say)
        var results: [GamedayRehearsal.Result] = []
        for scenario in runnable {
            for repetition in 1...repetitions {
                say("\(scenario.rawValue) \(repetition)/\(repetitions): \(scenario.serverAction ?? "")")
                let result = try await rehearsal.run(scenario, repetition: repetition)
                say("  \(result.passed ? "PASS" : "FAIL"): \(GamedayReport.line(result))")
                results.append(result)
            }
        }
        return GamedayReport(results: results, skipped: skipped)
    }
}
