import EtcdClient
import Foundation
import Testing

/// InMemoryEtcd's fault injection and pauses, and its behaviour under concurrent writers.
extension InMemoryEtcdTests {
    @Test("a fault before applying writes nothing; one after applying loses only the reply")
    func faults() async throws {
        let etcd = InMemoryEtcd()
        etcd.failNextTxns(with: EtcdError(.unavailable, "test: no connection"))
        await expectEtcdError(.unavailable) { try await etcd.put("/f", value: Data("1")) }
        #expect(etcd.currentRevision == 1 && etcd.value(of: "/f") == nil)
        etcd.failNextTxns(with: EtcdError(.deadlineExceeded, "test: reply lost"), at: .afterApplying)
        await expectEtcdError(.deadlineExceeded) { try await etcd.put("/f", value: Data("1")) }
        #expect(etcd.currentRevision == 2 && etcd.value(of: "/f")?.valueString == "1")
        try await etcd.put("/f", value: Data("2"))
        #expect(etcd.txnCount == 3)
    }

    @Test("faults strike only the txns their predicate matches, as many times as asked")
    func targetedFaults() async throws {
        let etcd = InMemoryEtcd()
        etcd.failNextTxns(2, with: EtcdError(.noLeader, "test: no leader")) { txn in
            txn.success.contains { if case .put(let key, _, _, _) = $0 { return key.hasPrefix("/jobs/") }; return false }
        }
        try await etcd.put("/other", value: Data("1"))
        await expectEtcdError(.noLeader) { try await etcd.put("/jobs/a", value: Data("1")) }
        await expectEtcdError(.noLeader) { try await etcd.put("/jobs/b", value: Data("1")) }
        try await etcd.put("/jobs/c", value: Data("1"))
        #expect(etcd.keys(withPrefix: "/jobs/") == ["/jobs/c"])
        etcd.failNextRanges(with: EtcdError(.unavailable, "test: read failed")) { $0 == .key("/jobs/c") }
        #expect(try await etcd.get("/other") != nil)
        await expectEtcdError(.unavailable) { _ = try await etcd.get("/jobs/c") }
        #expect(try await etcd.get("/jobs/c") != nil)
        #expect(etcd.rangeCount == 3)
        etcd.failNextTxns(5, with: EtcdError(.unavailable, "test"))
        etcd.clearFaults()
        try await etcd.put("/after", value: Data("1"))
    }

    @Test("paused txns wait until released, so a test decides the order of concurrent writers")
    func pausedTxns() async throws {
        let etcd = InMemoryEtcd()
        let gate = etcd.pauseTxns()
        let first = Task { try await etcd.txn(Txn(compare: [.createRevision("/lock", .equal, 0)], success: [.put("/lock", Data("first"))])) }
        await gate.waitUntilHeld(1)
        let second = Task { try await etcd.txn(Txn(compare: [.createRevision("/lock", .equal, 0)], success: [.put("/lock", Data("second"))])) }
        await gate.waitUntilHeld(2)
        #expect(etcd.currentRevision == 1)
        #expect(gate.releaseNext())
        #expect(try await first.value.succeeded)
        #expect(gate.heldCount == 1)
        gate.open()
        #expect(try await !second.value.succeeded)
        #expect(etcd.value(of: "/lock")?.valueString == "first")
        try await etcd.put("/free", value: Data("1"))
        #expect(!gate.releaseNext())
    }

    @Test("a held txn whose task is cancelled throws cancelled and writes nothing")
    func cancelledWhileHeld() async throws {
        let etcd = InMemoryEtcd()
        let gate = etcd.pauseTxns { $0.success.count == 1 }
        let held = Task { try await etcd.put("/x", value: Data("1")) }
        await gate.waitUntilHeld()
        held.cancel()
        let error = await expectEtcdError(.cancelled) { _ = try await held.value }
        #expect(error != nil)
        #expect(gate.heldCount == 0 && etcd.currentRevision == 1)
        _ = try await etcd.txn(Txn(success: [.put("/y", Data("1")), .put("/z", Data("1"))]))
        #expect(etcd.currentRevision == 2)
    }

    @Test("a pause after applying shows the write to others while its reply is held")
    func pausedReply() async throws {
        let etcd = InMemoryEtcd()
        let gate = etcd.pauseTxns(at: .afterApplying)
        let writer = Task { try await etcd.put("/p", value: Data("1")) }
        await gate.waitUntilHeld()
        #expect(try await etcd.get("/p")?.valueString == "1")
        gate.open()
        #expect(try await writer.value == 2)
    }

    @Test("concurrent writers get distinct, consecutive revisions")
    func concurrentWriters() async throws {
        let etcd = InMemoryEtcd()
        let revisions = try await withThrowingTaskGroup(of: Int64.self) { group in
            for writer in 0..<50 {
                group.addTask { try await etcd.put("/c/\(writer % 7)", value: Data("\(writer)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(revisions.sorted() == Array(2...51))
        #expect(etcd.txnCount == 50)
    }
}
