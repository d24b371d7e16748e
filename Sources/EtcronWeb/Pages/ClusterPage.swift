import EtcronAPI
import EtcronAPIModel
import Foundation

/// The replica group (`/cluster`): the leader and its fencing token, every live replica,
/// and the recent leader changes, from `GET /v1/cluster`.
enum ClusterPage {
    struct Leader {
        var replicaID: String
        var fencingToken: String
        var address: String
        var termStarted: String
        var lastHeartbeat: String
    }

    struct Member {
        var replicaID: String
        var role: String
        var version: String
        var address: String
        var started: String
        var lastHeartbeat: String
        var executes: String
    }

    struct Term {
        var started: String
        var replicaID: String
        var fencingToken: String
        var ledFor: String
    }

    struct Model {
        var leader: Leader?
        var memberCount: Int
        var members: [Member]
        var hasTerms: Bool
        var terms: [Term]
        var revision: String
    }

    static func model(_ operations: APIOperations, token: APIToken, now: Date) async throws -> Model {
        let output = try await operations.perform(as: token) { try await $0.getCluster(.init()) }
        guard case .ok(let ok) = output, case .json(let status) = ok.body else {
            throw APIError.unavailable("the cluster status could not be read")
        }
        let terms = status.recentLeaders ?? []
        return Model(
            leader: status.leader.map {
                Leader(
                    replicaID: $0.replicaID, fencingToken: $0.fencingToken, address: $0.address,
                    termStarted: stamp($0.termStartedAt, now: now), lastHeartbeat: WebFormat.age($0.lastHeartbeatAt, now: now) ?? "-")
            },
            memberCount: status.members.count,
            members: status.members.map {
                Member(
                    replicaID: $0.replicaID, role: $0.role.rawValue, version: $0.version, address: $0.address,
                    started: stamp($0.startedAt, now: now), lastHeartbeat: WebFormat.age($0.lastHeartbeatAt, now: now) ?? "-",
                    executes: $0.executorEnabled == false ? "no" : "yes")
            },
            hasTerms: !terms.isEmpty,
            terms: terms.enumerated().map { index, term in
                // A term lasted until the next (newer) one started; the newest lasts still
                // if its leader leads now.
                let current = index == 0 && status.leader?.fencingToken == term.fencingToken
                let end: Date? = index == 0 ? (current ? now : nil) : terms[index - 1].startedAt
                let length = end.flatMap { WebFormat.duration(seconds: $0.timeIntervalSince(term.startedAt)) }
                return Term(
                    started: WebFormat.time(term.startedAt) ?? "-", replicaID: term.replicaID, fencingToken: term.fencingToken,
                    ledFor: (length ?? "-") + (current ? " (so far)" : ""))
            },
            revision: status.revision)
    }

    private static func stamp(_ date: Date?, now: Date) -> String {
        guard let date, let time = WebFormat.time(date) else { return "-" }
        return "\(time) (\(WebFormat.age(date, now: now) ?? ""))"
    }
}
