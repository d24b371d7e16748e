import CronSchedule
import EtcronCore
import Foundation

/// How `etcron audit` prints what it found: a summary and every violation (table), or
/// the same as JSON.
struct AuditReport {
    let summary: AuditSummary
    let seconds: Double

    struct Document: Encodable {
        var from: String
        var to: String
        var clean: Bool
        var jobs: Int
        var timesChecked: Int
        var undecidedYet: Int
        var invokes: Int
        var skips: [String: Int]
        var stillRunning: Int
        var outcomeNotRecorded: Int
        var corruptRecords: Int
        var violations: [String: Int]
        var startDelay: Delay
        var findings: [AuditFinding]
    }

    struct Delay: Encodable {
        var objectiveMs: Int64
        var runs: Int
        var attainmentPercent: Double
        var p50Ms: Int64?
        var p99Ms: Int64?
        var maxMs: Int64?
    }

    var document: Document {
        let delays = summary.delays
        return Document(
            from: Self.time(summary.from), to: Self.time(summary.to), clean: summary.isClean, jobs: summary.jobs,
            timesChecked: summary.timesChecked, undecidedYet: summary.undecided, invokes: summary.invokes, skips: summary.skips,
            stillRunning: summary.running, outcomeNotRecorded: summary.unknownOutcome, corruptRecords: summary.corruptRecords,
            violations: Dictionary(uniqueKeysWithValues: AuditFinding.Kind.allCases.map { ($0.rawValue, summary.counts[$0] ?? 0) }),
            startDelay: Delay(
                objectiveMs: delays.objectiveMs, runs: delays.count, attainmentPercent: (delays.attainment * 1000).rounded() / 1000,
                p50Ms: delays.quantile(0.5), p99Ms: delays.quantile(0.99), maxMs: delays.count > 0 ? delays.maximum : nil),
            findings: summary.findings)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    func text() -> String {
        let doc = document
        var lines: [String] = []
        lines.append("Audit of \(doc.from) to \(doc.to): \(doc.clean ? "CLEAN" : "VIOLATIONS FOUND") (\(String(format: "%.1f", seconds)) s)")
        lines.append("  jobs \(doc.jobs), scheduled times checked \(doc.timesChecked), not decided yet \(doc.undecidedYet)")
        let skips = doc.skips.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("  invokes \(doc.invokes), skips \(doc.skips.values.reduce(0, +))\(skips.isEmpty ? "" : " (\(skips))")")
        let counts = AuditFinding.Kind.allCases.map { "\($0.rawValue) \(summary.counts[$0] ?? 0)" }.joined(separator: ", ")
        lines.append("  violations: \(counts)")
        lines.append("  still running \(doc.stillRunning), outcome no longer recorded \(doc.outcomeNotRecorded), corrupt records skipped \(doc.corruptRecords)")
        let delay = doc.startDelay
        lines.append(
            "  start delay: \(delay.runs) runs, \(String(format: "%.3f", delay.attainmentPercent))% within \(delay.objectiveMs) ms; "
                + "p50 \(delay.p50Ms.map { "\($0) ms" } ?? "-"), p99 \(delay.p99Ms.map { "\($0) ms" } ?? "-"), max \(delay.maxMs.map { "\($0) ms" } ?? "-")")
        if !summary.findings.isEmpty {
            lines.append("")
            lines.append(table(
                ["KIND", "JOB", "SCHEDULED", "DETAIL", "RECORDS"],
                summary.findings.map { [$0.kind.rawValue, $0.job, Self.time($0.scheduledUnix), $0.detail, $0.records.joined(separator: ",")] }))
            let listed = summary.findings.count
            let total = summary.counts.values.reduce(0, +)
            if listed < total { lines.append("(\(total - listed) more late starts counted, not listed)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func time(_ unix: Int64) -> String {
        RFC3339.format(CronInstant(secondsSinceEpoch: unix), in: .utc)
    }
}
