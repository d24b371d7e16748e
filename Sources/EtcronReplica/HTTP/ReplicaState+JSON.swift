import Foundation

extension ReplicaState.Snapshot: Codable {
    private enum CodingKeys: String, CodingKey {
        case ready, notReadyReason, replicaID, role, leaseID, fencingToken, leaderID
    }

    /// Decodes the object `/readyz` serves (the CLI's `status` reads it).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(replicaID: try container.decode(String.self, forKey: .replicaID))
        role = try container.decode(ReplicaState.Role.self, forKey: .role)
        leaseID = try container.decodeIfPresent(Int64.self, forKey: .leaseID) ?? 0
        fencingToken = try container.decodeIfPresent(Int64.self, forKey: .fencingToken) ?? 0
        leaderID = try container.decodeIfPresent(String.self, forKey: .leaderID)
        notReadyReason = try container.decodeIfPresent(String.self, forKey: .notReadyReason)
    }

    /// Encodes `ready`, `notReadyReason` (when not ready), `replicaID`, `role`, `leaseID`,
    /// `fencingToken` and `leaderID` (when known).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isReady, forKey: .ready)
        try container.encodeIfPresent(notReadyReason, forKey: .notReadyReason)
        try container.encode(replicaID, forKey: .replicaID)
        try container.encode(role, forKey: .role)
        try container.encode(leaseID, forKey: .leaseID)
        try container.encode(fencingToken, forKey: .fencingToken)
        try container.encodeIfPresent(leaderID, forKey: .leaderID)
    }

    /// The snapshot as one line of JSON with sorted keys, the body of `/readyz`.
    public var readinessJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and integers cannot fail.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
