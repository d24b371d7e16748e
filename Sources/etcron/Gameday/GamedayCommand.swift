import ArgumentParser
import EtcronCLI
import EtcronCore
import Foundation

/// `etcron gameday SCENARIO --local`: breaks a local sandbox on purpose (leader killed,
/// terminated or paused, an etcd member killed, etcd quorum lost, an executor killed
/// mid-run), measures how it recovers, and proves from the records (`etcron audit`) and
/// from the probes' own files that no run was lost or doubled. `--server URL` rehearses
/// against a live install through its admin-only gameday actions instead.
struct GamedayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gameday",
        abstract: "Rehearse failover: inject a fault into a local sandbox, measure, audit.",
        discussion: """
            Scenarios: \(GamedayScenario.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).
            With --local it starts its own sandbox: a 3-member etcd and \
            3 replicas on loopback, with probe jobs every second whose targets record each \
            execution in a file of their own. With --server URL (and an admin --token, or \
            ETCRON_TOKEN) it rehearses against a live install whose operators run with \
            gameday-actions enabled: it writes http probe jobs into --tenant, injects the fault \
            through the API (kill-leader and terminate-leader: the leader steps down; \
            pause-leader: the leader freezes past its lease TTL; executor-crash: the executor \
            of a long run crashes), counts executions from etcron's own run records and audits \
            through the API; scenarios that need signals, etcd members or namespaces are skipped. Each repetition reports the time to recover, the \
            longest gap between decisions, the decision lag and start delay around the fault, \
            the probes' executions against the invokes recorded, and the audit of its window. \
            PASS only when every audit is clean and no probe ran twice; exit status 1 otherwise.
            """
    )

    @Argument(help: "The scenario (or all).")
    var scenario: GamedayScenario

    @Flag(help: "Run against a sandbox of its own (a 3-member etcd and 3 replicas on loopback).")
    var local = false

    @Option(help: "A live install's URL: rehearse through its admin-only gameday actions (operators started with gameday-actions true).")
    var server: String?

    @Option(help: "With --server: an admin API token (ETCRON_TOKEN; prefer the variable, flags show in ps).")
    var token: String?

    @Option(help: "With --server: the tenant its probe jobs are written into.")
    var tenant = "gameday"

    @Option(name: .customLong("probe-url"), help: "With --server: the URL the probe jobs' http targets GET (executions are counted from etcron's records, not from this endpoint).")
    var probeURL = "http://192.0.2.1/"

    @Option(help: "Repetitions of each scenario.")
    var `repeat` = 3

    @Option(help: "Probe jobs (each every second).")
    var jobs = 3

    @Option(name: .customLong("lease-ttl"), help: "The replicas' session lease TTL, in seconds (--local: the sandbox's, default 3; --server: the install's, default 10).")
    var leaseTTL: Int?

    @Option(name: [.customShort("o"), .customLong("output")], help: "table or json.")
    var output: Format = .table

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    func validate() throws {
        if server != nil, local { throw ValidationError("--local and --server: give one of them, not both") }
        guard local || server != nil else { throw ValidationError("--local or --server: one is required (a sandbox of its own, or a live install)") }
        if server != nil, (token ?? ProcessInfo.processInfo.environment["ETCRON_TOKEN"]) == nil {
            throw ValidationError("--token: required with --server (or ETCRON_TOKEN): an admin token of the install")
        }
        if let reason = JobName.refusal(of: tenant) { throw ValidationError("--tenant: \(reason)") }
        guard (1...100).contains(`repeat`) else { throw ValidationError("--repeat: must be from 1 to 100") }
        guard (1...50).contains(jobs) else { throw ValidationError("--jobs: must be from 1 to 50") }
        if let leaseTTL, !(1...3600).contains(leaseTTL) { throw ValidationError("--lease-ttl: must be from 1 to 3600 seconds") }
        if local, let leaseTTL, leaseTTL > 30 { throw ValidationError("--lease-ttl: must be from 1 to 30 seconds with --local") }
    }

    func run() async throws {
        let quiet = output == .json
        let say: @Sendable (String) -> Void = { line in
            if !quiet { FileHandle.standardError.write(Data(("gameday: " + line + "\n").utf8)) }
        }
        if let server {
            let report = try await GamedayServerRun(
                server: server, token: token ?? ProcessInfo.processInfo.environment["ETCRON_TOKEN"] ?? "", tenant: tenant, probeURL: probeURL,
                jobs: jobs, leaseTTL: leaseTTL ?? 10, repetitions: `repeat`, say: say
            ).run(scenario.expanded)
            try finish(report)
            return
        }
        let leaseTTL = self.leaseTTL ?? 3
        var scenarios = scenario.expanded
        var skipped: [String: String] = [:]
        var network: GamedayNetwork?
        if scenarios.contains(where: \.partitions) {
            if let reason = GamedayNetwork.unavailable() {
                for partition in scenarios where partition.partitions {
                    skipped[partition.rawValue] = reason
                    say("skipping \(partition.rawValue): \(reason)")
                }
                scenarios.removeAll(where: \.partitions)
            } else {
                network = try GamedayNetwork.create(count: GamedaySandbox.replicaIDs.count)
            }
        }
        say("starting the sandbox ...")
        let sandbox: GamedaySandbox
        do {
            sandbox = try await GamedaySandbox.start(jobs: jobs, leaseTTL: leaseTTL, network: network, say: say)
        } catch {
            network?.remove()
            throw error
        }
        var results: [GamedayRehearsal.Result] = []
        var failure: (any Error)?
        do {
            let rehearsal = GamedayRehearsal(sandbox: sandbox, say: say)
            for scenario in scenarios {
                for repetition in 1...`repeat` {
                    say("\(scenario.rawValue) \(repetition)/\(`repeat`): \(scenario.summary)")
                    let result = try await rehearsal.run(scenario, repetition: repetition)
                    say("  \(result.passed ? "PASS" : "FAIL"): \(GamedayReport.line(result))")
                    results.append(result)
                }
            }
        } catch {
            failure = error
        }
        await sandbox.shutdown()
        if let failure {
            say("stopped: \(failure)")
            throw UsageFailure(message: "gameday: \(failure)")
        }
        try finish(GamedayReport(results: results, skipped: skipped))
    }

    /// Prints `report`; exit status 1 unless it passed.
    private func finish(_ report: GamedayReport) throws {
        switch output {
        case .table: print(report.text(), terminator: "")
        case .json: print(try report.json())
        }
        if !report.passed { throw ExitCode(1) }
    }
}
