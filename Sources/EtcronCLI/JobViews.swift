import EtcronCore
import EtcronProto
import Foundation

// What the job commands print for decisions, runs and status with -o json|yaml: times as
// RFC 3339, enums by name, unset fields left out.

/// A decision as printed.
struct DecisionView: Encodable {
    var scheduled: Date?
    var decision: String
    var reason: String?
    var message: String?
    var runID: String?
    var rangeStart: Date?
    var count: Int64?
    var decidedAt: Date?
    var leaderToken: Int64

    init(_ decision: Etcron_V1_Decision) {
        scheduled = Date(unixSeconds: decision.scheduledUnix)
        self.decision = decision.kind.name
        reason = decision.kind == .skip ? decision.reason.name : nil
        message = decision.message.isEmpty ? nil : decision.message
        runID = decision.runID.isEmpty ? nil : decision.runID
        rangeStart = Date(unixSeconds: decision.rangeStartUnix)
        count = decision.count > 1 ? decision.count : nil
        decidedAt = Date(unixMilliseconds: decision.decidedAtUnixMs)
        leaderToken = decision.leaderToken
    }
}

/// A run as printed (without its output).
struct RunView: Encodable {
    var runID: String
    var scheduled: Date?
    var manual: Bool
    var note: String?
    var state: String
    var assignedTo: String?
    var createdAt: Date?
    var startedAt: Date?
    var finishedAt: Date?
    var durationSeconds: Double?
    var startDelaySeconds: Double?
    var attempts: Int32
    var exitCode: Int32?
    var httpStatus: Int32?
    var message: String?

    init(_ run: Etcron_V1_Run) {
        runID = run.runID
        scheduled = Date(unixSeconds: run.scheduledUnix)
        manual = run.manual
        note = run.note.isEmpty ? nil : run.note
        state = run.state.name
        assignedTo = run.assignedTo.isEmpty ? nil : run.assignedTo
        createdAt = Date(unixMilliseconds: run.createdAtUnixMs)
        startedAt = Date(unixMilliseconds: run.startedAtUnixMs)
        finishedAt = Date(unixMilliseconds: run.finishedAtUnixMs)
        if run.startedAtUnixMs > 0, run.finishedAtUnixMs >= run.startedAtUnixMs {
            durationSeconds = Double(run.finishedAtUnixMs - run.startedAtUnixMs) / 1000
        }
        if run.startedAtUnixMs > 0, run.scheduledUnix > 0, !run.manual {
            startDelaySeconds = Double(run.startedAtUnixMs - run.scheduledUnix * 1000) / 1000
        }
        attempts = run.attempts
        let finished = [.succeeded, .failed, .timedOut, .stopped].contains(run.state)
        exitCode = finished && run.httpStatus == 0 ? run.exitCode : nil
        httpStatus = run.httpStatus == 0 ? nil : run.httpStatus
        message = run.message.isEmpty ? nil : run.message
    }

    /// `exit 0`, `HTTP 503`, or the message.
    var result: String {
        var parts: [String] = []
        if let exitCode { parts.append("exit \(exitCode)") }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let message { parts.append(message) }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }
}

/// A job's status as printed.
struct StatusView: Encodable {
    var decidedThrough: Date?
    var specRevision: Int64
    var lastInvoked: Date?
    var invocations: Int64
    var skips: Int64
    var lastError: Date?

    init(_ status: Etcron_V1_JobStatus) {
        decidedThrough = Date(unixSeconds: status.decidedThroughUnix)
        specRevision = status.specRevision
        lastInvoked = Date(unixSeconds: status.lastInvokedUnix)
        invocations = status.invocations
        skips = status.skips
        lastError = Date(unixSeconds: status.lastErrorUnix)
    }
}

/// `etcron describe -o json|yaml`.
struct DescribeView: Encodable {
    var job: JobManifest
    var createdAt: Date?
    var specRevision: Int64
    var nextScheduled: Date?
    var status: StatusView?
    var pendingTriggers: Int
    var decisions: [DecisionView]
    var runs: [RunView]
    var corrupt: [CorruptRecord]?
}

extension Etcron_V1_DecisionKind {
    /// `invoke`, `skip`.
    var name: String {
        switch self {
        case .invoke: "invoke"
        case .skip: "skip"
        case .unspecified: "unspecified"
        case .UNRECOGNIZED(let value): "unknown(\(value))"
        }
    }
}

extension Etcron_V1_SkipReason {
    /// The reason as in metrics: `concurrencyPolicy`, `missedDeadline`...
    var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .UNRECOGNIZED(let value): "unknown(\(value))"
        default: label
        }
    }
}

extension Etcron_V1_RunState {
    /// `pending`, `running`, `succeeded`...
    var name: String {
        switch self {
        case .pending: "pending"
        case .running: "running"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .timedOut: "timedOut"
        case .stopped: "stopped"
        case .executorLost: "executorLost"
        case .unspecified: "unspecified"
        case .UNRECOGNIZED(let value): "unknown(\(value))"
        }
    }
}

/// The decisions table.
func decisionTable(_ decisions: [DecisionView]) -> String {
    table(
        ["SCHEDULED", "DECISION", "REASON", "COUNT", "RUN", "MESSAGE"],
        decisions.map {
            [$0.scheduled?.rfc3339 ?? "-", $0.decision, $0.reason ?? "-", String($0.count ?? 1), $0.runID ?? "-", $0.message ?? ""]
        })
}

/// The runs table.
func runTable(_ runs: [RunView]) -> String {
    table(
        ["RUN", "SCHEDULED", "STATE", "ATTEMPTS", "STARTED", "START DELAY", "DURATION", "RESULT"],
        runs.map {
            [
                $0.runID + ($0.manual ? " (manual)" : ""), $0.scheduled?.rfc3339 ?? "-", $0.state, String($0.attempts),
                $0.startedAt?.rfc3339 ?? "-", $0.startDelaySeconds.map { "\(Int(($0 * 1000).rounded())) ms" } ?? "-",
                $0.durationSeconds.map { String(format: "%.1fs", $0) } ?? "-", $0.result,
            ]
        })
}
