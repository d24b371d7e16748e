/// The fencing invariant checked over the heartbeat history (oldest first): once a
/// leadership with a higher fencing token has written, no leadership with a lower token
/// writes again. A token written by two different replicas also counts as a violation
/// (tokens are election keys' create revisions, so two leaderships never share one).
struct FailoverFencing: Sendable {
    /// Heartbeat writes examined.
    var heartbeats: Int
    /// Distinct leaderships (tokens) that wrote at least once.
    var leaderships: Int
    /// The writes that broke the invariant, with the reason.
    var violations: [(heartbeat: FailoverHeartbeat, reason: String)]

    init(history: [FailoverHeartbeat]) {
        heartbeats = history.count
        violations = []
        var writerOfToken: [Int64: String] = [:]
        var newest: FailoverHeartbeat?
        for beat in history {
            if let owner = writerOfToken[beat.fencingToken], owner != beat.replicaID {
                violations.append((beat, "token \(beat.fencingToken) was first written by \(owner)"))
            }
            writerOfToken[beat.fencingToken] = writerOfToken[beat.fencingToken] ?? beat.replicaID
            if let newest, beat.fencingToken < newest.fencingToken {
                violations.append((beat, "written after \(newest.replicaID)'s token \(newest.fencingToken) first wrote at revision \(newest.revision)"))
            } else if beat.fencingToken > newest?.fencingToken ?? .min {
                newest = beat
            }
        }
        leaderships = writerOfToken.count
    }

    /// One line per violation, for the error message.
    var report: String {
        violations.map { "revision \($0.heartbeat.revision): \($0.heartbeat.replicaID) with token \($0.heartbeat.fencingToken) \($0.reason)" }
            .joined(separator: "\n")
    }
}
