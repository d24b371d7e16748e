import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf

/// Writes this replica's membership record, attached to its session lease, whenever its role
/// changes and every `interval`, so that `etcron status` shows a recent heartbeat.
actor MembershipRecorder {
    private let client: EtcdClient
    private let session: EtcdSession
    private let key: String
    private var record: Etcron_V1_Member
    private let logger: Logger
    private let gate: FreezeGate
    private let line: Severance

    init(
        client: EtcdClient, session: EtcdSession, options: ReplicaOptions, startedAt: Date, gate: FreezeGate, line: Severance, logger: Logger
    ) {
        self.client = client
        self.gate = gate
        self.line = line
        self.session = session
        self.key = options.keys.member(options.replicaID)
        self.logger = logger
        var record = Etcron_V1_Member()
        record.replicaID = options.replicaID
        record.address = options.address
        record.version = EtcronVersion.current
        record.startedAtUnixMs = Int64(startedAt.timeIntervalSince1970 * 1000)
        record.leaseID = session.leaseID
        record.leaseTtlSeconds = session.ttl
        record.role = .follower
        record.executorDisabled = !options.executesRuns
        record.readsAssignmentBatches = options.executesRuns
        self.record = record
    }

    /// Records `role` at once.
    func write(role: Etcron_V1_ReplicaRole) async throws {
        record.role = role
        try await write()
    }

    /// Rewrites the record every `interval` until cancelled; a lease that is gone ends it
    /// with `.leaseNotFound` (the session is lost).
    func run(every interval: Duration) async throws {
        while true {
            do {
                try await write()
            } catch let error as EtcdError where error.code == .leaseNotFound {
                throw error
            } catch let error as EtcdError {
                logger.debug("membership record not written", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: interval)
        }
    }

    private func write() async throws {
        await gate.wait()
        try line.check()
        record.heartbeatAtUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
        let bytes: Data = try record.serializedData()
        try await client.put(key, value: bytes, lease: session.leaseID, timeout: .seconds(3))
    }
}
