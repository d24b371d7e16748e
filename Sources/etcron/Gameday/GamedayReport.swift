import Foundation

/// The gameday's report: every repetition, and per scenario the p50, p99 and max of each
/// figure; PASS only when every audit is clean and no probe ran twice.
struct GamedayReport {
    let results: [GamedayRehearsal.Result]
    /// Scenarios not run here, with why.
    var skipped: [String: String] = [:]

    var passed: Bool { results.allSatisfy(\.passed) && (!results.isEmpty || !skipped.isEmpty) }

    struct Figures: Encodable {
        var p50: Int64?
        var p99: Int64?
        var max: Int64?
    }

    struct Scenario: Encodable {
        var scenario: String
        var repetitions: Int
        var passed: Bool
        var recoveryMs: Figures
        var longestDecisionGapMs: Figures
        var maxDecisionLagMs: Figures
        var startDelayMaxMs: Figures
        var executions: Int
        var invokes: Int
    }

    struct Document: Encodable {
        var passed: Bool
        var skipped: [String: String]
        var scenarios: [Scenario]
        var repetitions: [GamedayRehearsal.Result]
    }

    var scenarios: [Scenario] {
        var order: [GamedayScenario] = []
        for result in results where !order.contains(result.scenario) { order.append(result.scenario) }
        return order.map { scenario in
            let mine = results.filter { $0.scenario == scenario }
            return Scenario(
                scenario: scenario.rawValue, repetitions: mine.count, passed: mine.allSatisfy(\.passed),
                recoveryMs: Self.figures(mine.compactMap(\.recoveryMs)),
                longestDecisionGapMs: Self.figures(mine.map(\.longestDecisionGapMs)),
                maxDecisionLagMs: Self.figures(mine.map(\.maxDecisionLagMs)),
                startDelayMaxMs: Self.figures(mine.compactMap(\.startDelayMaxMs)),
                executions: mine.map(\.executions).reduce(0, +), invokes: mine.map(\.invokes).reduce(0, +))
        }
    }

    static func figures(_ values: [Int64]) -> Figures {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return Figures(p50: nil, p99: nil, max: nil) }
        func at(_ q: Double) -> Int64 { sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))] }
        return Figures(p50: at(0.5), p99: at(0.99), max: sorted.last)
    }

    static func line(_ result: GamedayRehearsal.Result) -> String {
        let violations = result.auditViolations.isEmpty ? "clean" : result.auditViolations.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ")
        return "recovery \(result.recoveryMs.map { "\($0) ms" } ?? "-"), longest decision gap \(result.longestDecisionGapMs) ms, "
            + "max decision lag \(result.maxDecisionLagMs) ms, start delay p50/p99/max "
            + "\(result.startDelayP50Ms ?? -1)/\(result.startDelayP99Ms ?? -1)/\(result.startDelayMaxMs ?? -1) ms, "
            + "executions \(result.executions) / invokes \(result.invokes), doubles \(result.doubleExecutions.count), audit \(violations); \(result.note)"
    }

    func text() -> String {
        var lines = ["Gameday: \(passed ? "PASS" : "FAIL") (\(results.count) repetitions)", ""]
        func show(_ figures: Figures) -> String {
            guard let p50 = figures.p50, let p99 = figures.p99, let max = figures.max else { return "-" }
            return "\(p50)/\(p99)/\(max)"
        }
        let header = ["SCENARIO", "REPS", "RESULT", "RECOVERY ms p50/p99/max", "DECISION GAP ms", "DECISION LAG ms", "START DELAY max ms", "EXEC/INVOKES"]
        let rows = scenarios.map {
            [$0.scenario, String($0.repetitions), $0.passed ? "PASS" : "FAIL", show($0.recoveryMs), show($0.longestDecisionGapMs),
             show($0.maxDecisionLagMs), show($0.startDelayMaxMs), "\($0.executions)/\($0.invokes)"]
        }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        lines += all.map { row in row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") }
        for (scenario, reason) in skipped.sorted(by: { $0.key < $1.key }) {
            lines.append("SKIPPED \(scenario): \(reason)")
        }
        for result in results where !result.passed {
            lines.append("")
            lines.append("FAILED \(result.scenario.rawValue) #\(result.repetition): audit \(result.auditViolations), doubles \(result.doubleExecutions)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(Document(passed: passed, skipped: skipped, scenarios: scenarios, repetitions: results)), as: UTF8.self)
    }
}
