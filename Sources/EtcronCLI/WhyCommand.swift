import ArgumentParser
import EtcdClient
import EtcronCore
import EtcronProto
import EtcronReplica
import Foundation
import SwiftProtobuf

/// `etcron why TENANT/NAME`: the job's last decisions with their reasons, so "did my cron
/// run, and if not, why?" has an answer without knowing the schedule.
public struct WhyCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Explain a job's last scheduling decisions (invoked, or skipped and why)."
    )

    @OptionGroup var connection: ConnectionFlags

    @Argument(help: ArgumentHelp("The job.", valueName: "tenant/name"))
    var job: String

    @Option(help: "How many decisions to show (newest first).")
    var limit: Int = 10

    /// How `why` answers: sentences, sentences and the table, or the data.
    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text, wide, json, yaml
    }

    @Option(name: [.customShort("o"), .customLong("output")], help: "text (sentences), wide (sentences and a table), json or yaml.")
    var output: Output = .text

    private func explanationState(_ explanation: Explanation) -> String {
        explanation.runState.map { "(\($0))" } ?? ""
    }

    struct Explanation: Codable {
        var scheduled: Date
        var decision: String
        var reason: String?
        var covers: Int64
        var rangeStart: Date?
        var message: String
        var runID: String?
        var runState: String?
        var decidedAt: Date
        var leaderToken: Int64
    }

    public func validate() throws {
        guard JobID(parsing: job) != nil else { throw ValidationError("job: \"\(job)\" is not TENANT/NAME") }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit: must be from 1 to 1000") }
    }

    public func run() async throws {
        let id = JobID(parsing: job)!
        let (stored, decisions, runs) = try await withJobService(connection, command: "why") { store throws(JobStoreError) in
            guard let stored = try await store.get(tenant: id.tenant, name: id.name) else {
                throw JobStoreError(.notFound, "job \(id) does not exist")
            }
            let decisions = try await store.decisions(tenant: id.tenant, name: id.name, limit: limit)
            let runIDs = decisions.values.map(\.runID).filter { !$0.isEmpty }
            return (stored, decisions, try await store.runs(tenant: id.tenant, name: id.name, ids: runIDs))
        }
        for record in decisions.corrupt {
            printError("etcron why: skipping corrupt record \(record)")
        }
        let runsByID = runs
        let explanations = decisions.values.map { decision in
            let run = decision.runID.isEmpty ? nil : runsByID[decision.runID]
            return Explanation(
                scheduled: Date(timeIntervalSince1970: TimeInterval(decision.scheduledUnix)),
                decision: decision.kind == .invoke ? "invoke" : "skip",
                reason: decision.kind == .invoke ? nil : decision.reason.label,
                covers: max(1, decision.count),
                rangeStart: decision.count > 1 ? Date(timeIntervalSince1970: TimeInterval(decision.rangeStartUnix)) : nil,
                message: decision.message, runID: decision.runID.isEmpty ? nil : decision.runID,
                runState: run.map { String(describing: $0.state).replacingOccurrences(of: "RUN_STATE_", with: "").lowercased() },
                decidedAt: Date(timeIntervalSince1970: TimeInterval(decision.decidedAtUnixMs) / 1000),
                leaderToken: decision.leaderToken)
        }
        if let format = OutputFormat(rawValue: output.rawValue), let encoded = try format.encode(explanations) {
            print(encoded)
            return
        }
        let schedule = try? CompiledJob(spec: stored.spec).schedule
        print(WhySentences.lines(job: id, spec: stored.spec, schedule: schedule, decisions: decisions.values, runs: runsByID, now: Date())
            .joined(separator: "\n"))
        guard output == .wide, !explanations.isEmpty else { return }
        print("")
        print(table(
            ["SCHEDULED", "DECISION", "REASON", "COVERS", "RUN", "DETAIL"],
            explanations.map { explanation in
                [
                    explanation.scheduled.formatted(.iso8601), explanation.decision, explanation.reason ?? "-",
                    String(explanation.covers),
                    explanation.runID.map { "\($0) \(explanationState(explanation))" } ?? "-",
                    explanation.message.isEmpty ? "-" : explanation.message,
                ]
            }))
    }
}
