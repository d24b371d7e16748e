import ArgumentParser
import EtcronCLI
import Foundation

/// `etcron gameday SCENARIO --local`: breaks a local sandbox on purpose (leader killed,
/// terminated or paused, an etcd member killed, etcd quorum lost, an executor killed
/// mid-run), measures how it recovers, and proves from the records (`etcron audit`) and
/// from the probes' own files that no run was lost or doubled.
struct GamedayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gameday",
        abstract: "Rehearse failover: inject a fault into a local sandbox, measure, audit.",
        discussion: """
            Scenarios: \(GamedayScenario.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).
            With --local (the only mode so far) it starts its own sandbox: a 3-member etcd and \
            3 replicas on loopback, with probe jobs every second whose targets record each \
            execution in a file of their own. Each repetition reports the time to recover, the \
            longest gap between decisions, the decision lag and start delay around the fault, \
            the probes' executions against the invokes recorded, and the audit of its window. \
            PASS only when every audit is clean and no probe ran twice; exit status 1 otherwise.
            """
    )

    @Argument(help: "The scenario (or all).")
    var scenario: GamedayScenario

    @Flag(help: "Run against a sandbox of its own (a 3-member etcd and 3 replicas on loopback).")
    var local = false

    @Option(help: "A live install's URL (its admin-only gameday actions are not built yet; use --local).")
    var server: String?

    @Option(help: "Repetitions of each scenario.")
    var `repeat` = 3

    @Option(help: "Probe jobs (each every second).")
    var jobs = 3

    @Option(name: .customLong("lease-ttl"), help: "The replicas' session lease TTL, in seconds.")
    var leaseTTL = 3

    @Option(name: [.customShort("o"), .customLong("output")], help: "table or json.")
    var output: Format = .table

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    func validate() throws {
        if server != nil {
            throw ValidationError("--server: rehearsing against a live install (step-down, freeze and crash actions) is not built yet; use --local")
        }
        guard local else { throw ValidationError("--local: required (a sandbox of its own is the only mode so far)") }
        guard (1...100).contains(`repeat`) else { throw ValidationError("--repeat: must be from 1 to 100") }
        guard (1...50).contains(jobs) else { throw ValidationError("--jobs: must be from 1 to 50") }
        guard (1...30).contains(leaseTTL) else { throw ValidationError("--lease-ttl: must be from 1 to 30 seconds") }
    }

    func run() async throws {
        let quiet = output == .json
        let say: (String) -> Void = { line in
            if !quiet { FileHandle.standardError.write(Data(("gameday: " + line + "\n").utf8)) }
        }
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
        let report = GamedayReport(results: results, skipped: skipped)
        switch output {
        case .table: print(report.text(), terminator: "")
        case .json: print(try report.json())
        }
        if !report.passed { throw ExitCode(1) }
    }
}
