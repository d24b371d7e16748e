import EtcronProto

/// The one place decision records are built. Every due (job, scheduled time) gets exactly
/// one: an invoke (it runs) or a skip with a reason; a skip may count a range of times.
extension Etcron_V1_Decision {
    /// An invoke of `scheduledUnix` that creates run `runID`.
    public static func invoke(
        scheduledUnix: Int64, runID: String, decidedAtUnixMs: Int64, leaderToken: Int64, message: String = ""
    ) -> Etcron_V1_Decision {
        var decision = Etcron_V1_Decision()
        decision.scheduledUnix = scheduledUnix
        decision.kind = .invoke
        decision.runID = runID
        decision.decidedAtUnixMs = decidedAtUnixMs
        decision.leaderToken = leaderToken
        decision.count = 1
        decision.rangeStartUnix = scheduledUnix
        decision.message = message
        return decision
    }

    /// A skip of `scheduledUnix` for `reason`; with `count` > 1 it covers every scheduled
    /// time from `rangeStart` through `scheduledUnix`.
    public static func skip(
        scheduledUnix: Int64, reason: Etcron_V1_SkipReason, message: String, decidedAtUnixMs: Int64, leaderToken: Int64,
        rangeStart: Int64? = nil, count: Int64 = 1
    ) -> Etcron_V1_Decision {
        var decision = Etcron_V1_Decision()
        decision.scheduledUnix = scheduledUnix
        decision.kind = .skip
        decision.reason = reason
        decision.message = message
        decision.decidedAtUnixMs = decidedAtUnixMs
        decision.leaderToken = leaderToken
        decision.rangeStartUnix = rangeStart ?? scheduledUnix
        decision.count = count
        return decision
    }

    /// The record of a spec that cannot be scheduled (reason `error`): it covers no
    /// scheduled time (`count` 0) and is keyed by when it was found.
    public static func error(atUnixMs: Int64, message: String, leaderToken: Int64) -> Etcron_V1_Decision {
        skip(scheduledUnix: atUnixMs / 1000, reason: .error, message: message, decidedAtUnixMs: atUnixMs, leaderToken: leaderToken, count: 0)
    }
}

extension Etcron_V1_SkipReason {
    /// The reason as metrics, logs and `etcron why` name it.
    public var label: String {
        switch self {
        case .concurrencyPolicy: return "concurrencyPolicy"
        case .missedDeadline: return "missedDeadline"
        case .suspended: return "suspended"
        case .error: return "error"
        case .quota: return "quota"
        default: return "unknown"
        }
    }
}
