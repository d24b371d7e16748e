import EtcronProto

/// What a window's decisions say about the leader during a fault, in either mode.
enum GamedayDecisionFigures {
    /// The longest time between two consecutive decisions of one job, and the largest
    /// decision lag (decided minus scheduled), over the decisions for times in `(from, to]`.
    static func of(_ decisions: [Etcron_V1_Decision], from: Int64, to: Int64) -> (longestGapMs: Int64, maxLagMs: Int64) {
        let window = decisions.filter { $0.scheduledUnix > from && $0.scheduledUnix <= to }
        let decided = window.map(\.decidedAtUnixMs).sorted()
        var gap: Int64 = 0
        for (earlier, later) in zip(decided, decided.dropFirst()) { gap = max(gap, later - earlier) }
        let lag = window.map { $0.decidedAtUnixMs - $0.scheduledUnix * 1000 }.max() ?? 0
        return (gap, max(0, lag))
    }
}
