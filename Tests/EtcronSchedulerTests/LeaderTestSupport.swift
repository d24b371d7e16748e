import EtcdClient
import EtcronCore
import EtcronProto
@testable import EtcronScheduler
import EtcronTestKit
import Foundation
import Logging
import SwiftProtobuf
import Testing

/// A leader term over an in-memory etcd and a manual clock: the election key is written
/// as a replica's campaign would, so the fence holds until a test deletes it.
struct InMemoryTerm {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    let etcd = InMemoryEtcd()
    let clock = ManualClock(InMemoryTerm.t0)
    let keys = JobKeys(prefix: "/etcron/")
    let leadership: Leadership

    init() async throws {
        let electionKey = keys.base.election + "leader-1"
        let revision = try await etcd.put(electionKey, value: Data("r1".utf8))
        leadership = Leadership(
            client: etcd, fence: Fence(key: electionKey, token: revision), replicaID: "r1", keys: keys.base,
            termStarted: Self.t0, logger: Logger(label: "test.leader"))
    }

    /// Deposes this leader: its election key is gone.
    func depose() async throws {
        try await etcd.delete(.key(leadership.fence.key))
    }

    /// Stores `spec` as `etcron apply` would (created at the clock's now).
    func apply(_ spec: Etcron_V1_JobSpec) async throws {
        var spec = spec
        spec.createdAtUnixMs = Int64(clock.now().timeIntervalSince1970 * 1000)
        spec.scheduleSinceUnixMs = spec.createdAtUnixMs
        try await etcd.put(keys.spec(spec.tenant, spec.name), value: try spec.serializedData())
    }

    /// Registers an executor member with a live session lease.
    @discardableResult
    func addMember(_ id: String, readsBatches: Bool = false) async throws -> Int64 {
        let lease = etcd.grantLease(ttl: 10)
        var record = Etcron_V1_Member()
        record.readsAssignmentBatches = readsBatches
        try await etcd.put(keys.base.member(id), value: try record.serializedData(), lease: lease)
        return lease
    }

    /// The runs of `job`, decoded.
    func runs(_ job: JobID) async throws -> [Etcron_V1_Run] {
        try await etcd.range(.prefix(keys.runs(job.tenant, job.name))).kvs.map { try Etcron_V1_Run(serializedBytes: $0.value) }
    }

    /// The decision log of `job`, decoded.
    func loggedDecisions(_ job: JobID) async throws -> [Etcron_V1_Decision] {
        try await etcd.range(.prefix(keys.decisions(job.tenant, job.name))).kvs.map { try Etcron_V1_Decision(serializedBytes: $0.value) }
    }
}

/// Waits (in real time, briefly) until `condition` holds: the leader's tasks run
/// concurrently with the test, though the clock they read only moves when it says.
func eventually(
    _ what: String, within seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
}
