import Foundation

/// One version of the leader heartbeat record (`<prefix>leader`) in etcd's history: the
/// revision that wrote it, the replica that wrote it and that leadership's fencing token.
///
/// Decoded by hand from `etcron.v1.LeaderHeartbeat` (proto/etcron/v1/replica.proto):
/// `replica_id` = 1 (string) and `fencing_token` = 2 (int64 varint); other fields skipped.
struct FailoverHeartbeat: Sendable, Hashable {
    /// The etcd revision of this write.
    var revision: Int64
    /// The replica that wrote it.
    var replicaID: String
    /// Its leadership's fencing token (the create revision of its election key).
    var fencingToken: Int64

    /// Decodes the record written at `revision`.
    init(revision: Int64, record: Data) throws {
        var reader = FailoverProtobufReader(record)
        var replicaID = ""
        var token: Int64 = 0
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.number, tag.wireType) {
            case (1, 2):
                replicaID = String(decoding: try reader.lengthDelimited(), as: UTF8.self)
            case (2, 0):
                token = Int64(bitPattern: try reader.varint())
            default:
                try reader.skip(tag.wireType)
            }
        }
        self.revision = revision
        self.replicaID = replicaID
        self.fencingToken = token
    }
}
