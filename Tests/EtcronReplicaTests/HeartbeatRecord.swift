import EtcronProto
import Foundation
import SwiftProtobuf

/// A leader heartbeat record decoded for tests.
struct HeartbeatRecord {
    var replicaID: String
    var token: Int64

    init(_ bytes: Data) throws {
        let record = try Etcron_V1_LeaderHeartbeat(serializedBytes: bytes)
        replicaID = record.replicaID
        token = record.fencingToken
    }
}
