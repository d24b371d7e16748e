import EtcdClient
import Foundation
import Testing

/// InMemoryEtcd's watches: live delivery, replay, filters, cancellation and cleanup.
extension InMemoryEtcdTests {
    @Test("a watch delivers live events, one response per txn, in operation order, with delete events carrying only key and revision")
    func liveWatch() async throws {
        let etcd = InMemoryEtcd()
        var iterator = etcd.watch(.prefix("/w/")).makeAsyncIterator()
        try await etcd.put("/w/a", value: Data("1"))
        _ = try await etcd.txn(Txn(success: [.put("/w/c", Data("3")), .put("/outside", Data("x")), .put("/w/b", Data("2"))]))
        try await etcd.delete(.prefix("/w/"))
        let first = try #require(try await iterator.next())
        #expect(first.revision == 2 && first.events.map(\.kv.keyString) == ["/w/a"])
        let second = try #require(try await iterator.next())
        #expect(second.revision == 3 && second.events.map(\.kv.keyString) == ["/w/c", "/w/b"])
        let third = try #require(try await iterator.next())
        #expect(third.events.map(\.kind) == [.delete, .delete, .delete])
        #expect(third.events.map(\.kv.keyString) == ["/w/a", "/w/b", "/w/c"])
        let tombstone = try #require(third.events.first?.kv)
        #expect(tombstone.modRevision == 4 && tombstone.value.isEmpty && tombstone.version == 0 && tombstone.createRevision == 0)
        #expect(third.events.allSatisfy { $0.previous == nil })
    }

    @Test("a watch from a past revision replays history, then goes on live without gap or duplicate")
    func replay() async throws {
        let etcd = InMemoryEtcd()
        for value in ["1", "2", "3"] { try await etcd.put("/r", value: Data(value)) }
        var iterator = etcd.watch(.key("/r"), options: WatchOptions(startRevision: 3)).makeAsyncIterator()
        try await etcd.put("/r", value: Data("4"))
        var values: [String] = []
        for _ in 0..<3 {
            values += try #require(try await iterator.next()).events.map(\.kv.valueString)
        }
        #expect(values == ["2", "3", "4"])
        // A start of 0 begins after the revision current when the watch was made.
        let later = etcd.watch(.key("/r"))
        try await etcd.put("/r", value: Data("5"))
        var fromNow = later.makeAsyncIterator()
        #expect(try await fromNow.next()?.events.first?.kv.valueString == "5")
        #expect(try await iterator.next()?.events.first?.kv.valueString == "5")
    }

    @Test("filters drop puts or deletes, and previous values come only when asked for")
    func watchOptions() async throws {
        let etcd = InMemoryEtcd()
        try await etcd.put("/o/a", value: Data("1"))
        try await etcd.put("/o/a", value: Data("2"))
        try await etcd.delete(.key("/o/a"))
        try await etcd.put("/o/a", value: Data("3"))
        /// The first `count` events of a watch from revision 2 with `configure`d options.
        func events(_ count: Int, _ configure: (inout WatchOptions) -> Void) async throws -> [String] {
            var options = WatchOptions(startRevision: 2)
            configure(&options)
            var iterator = etcd.watch(.prefix("/o/"), options: options).makeAsyncIterator()
            var seen: [String] = []
            while seen.count < count, let response = try await iterator.next() {
                seen += response.events.map { "\($0.kind) \($0.kv.valueString) prev=\($0.previous?.valueString ?? "-")" }
            }
            return seen
        }
        #expect(try await events(4) { _ in } == ["put 1 prev=-", "put 2 prev=-", "delete  prev=-", "put 3 prev=-"])
        #expect(try await events(4) { $0.previousKV = true } == ["put 1 prev=-", "put 2 prev=1", "delete  prev=2", "put 3 prev=-"])
        #expect(try await events(1) { $0.noPut = true } == ["delete  prev=-"])
        #expect(try await events(3) { $0.noDelete = true } == ["put 1 prev=-", "put 2 prev=-", "put 3 prev=-"])
        // Nothing else is pending: the put-only events of a no-put watch were dropped, not queued.
        var options = WatchOptions(startRevision: 2)
        options.noPut = true
        var iterator = etcd.watch(.prefix("/o/"), options: options).makeAsyncIterator()
        #expect(try await iterator.next()?.revision == 4)
        try await etcd.delete(.key("/o/a"))
        #expect(try await iterator.next()?.revision == 6)
    }

    @Test("cancelling the consuming task ends a pending next() and unregisters the watcher")
    func cancellation() async throws {
        let etcd = InMemoryEtcd()
        let consumer = Task {
            var count = 0
            for try await _ in etcd.watch(.prefix("/never/")) {
                count += 1
            }
            return count
        }
        try await within(.seconds(5), "watcher registration") {
            while etcd.watcherCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        }
        // Let the consumer park in next(): that pending call is what cancellation must end.
        try await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        let count = try await within(.seconds(5), "a cancelled watch to end") { try await consumer.value }
        #expect(count == 0)
        #expect(etcd.watcherCount == 0)
    }

    @Test("breaking out of a watch loop, or dropping its iterator, unregisters the watcher")
    func dropping() async throws {
        let etcd = InMemoryEtcd()
        try await etcd.put("/b", value: Data("1"))
        for try await _ in etcd.watch(.key("/b"), options: WatchOptions(startRevision: 1)) { break }
        #expect(etcd.watcherCount == 0)
        do {
            let iterator = etcd.watch(.key("/b")).makeAsyncIterator()
            #expect(etcd.watcherCount == 1)
            _ = iterator
        }
        #expect(etcd.watcherCount == 0)
    }

    @Test("a watch that starts before the compacted revision ends with the compacted error")
    func compactedWatch() async throws {
        let etcd = InMemoryEtcd()
        for value in ["1", "2", "3"] { try await etcd.put("/k", value: Data(value)) }
        try etcd.compact(revision: 3)
        let error = await expectEtcdError(.compacted) {
            for try await _ in etcd.watch(.key("/k"), options: WatchOptions(startRevision: 2)) {}
        }
        #expect(error?.compactRevision == 3)
        #expect(error?.message.contains("re-list") == true)
        #expect(etcd.watcherCount == 0)
        var iterator = etcd.watch(.key("/k"), options: WatchOptions(startRevision: 3)).makeAsyncIterator()
        #expect(try await iterator.next()?.events.first?.kv.valueString == "2")
    }

    @Test("compaction keeps, of its own revision, only the puts that a read at it needs")
    func compactionRevisionEvents() async throws {
        let etcd = InMemoryEtcd()
        try await etcd.put("/k/gone", value: Data("1"))
        _ = try await etcd.txn(Txn(success: [.put("/k/kept", Data("1")), .delete(.key("/k/gone"))]))
        try etcd.compact(revision: 3)
        var iterator = etcd.watch(.prefix("/k/"), options: WatchOptions(startRevision: 3)).makeAsyncIterator()
        let response = try #require(try await iterator.next())
        #expect(response.events.map { "\($0.kind) \($0.kv.keyString)" } == ["put /k/kept"])
    }

    @Test("failWatches ends open watches after the responses they already hold")
    func failedWatches() async throws {
        let etcd = InMemoryEtcd()
        var iterator = etcd.watch(.prefix("/")).makeAsyncIterator()
        try await etcd.put("/a", value: Data("1"))
        etcd.failWatches(with: EtcdError(.watchCanceled, "test: watch cancelled"))
        try await etcd.put("/a", value: Data("2"))
        #expect(try await iterator.next()?.events.first?.kv.valueString == "1")
        await expectEtcdError(.watchCanceled) { _ = try await iterator.next() }
        #expect(try await iterator.next() == nil)
        #expect(etcd.watcherCount == 0)
    }
}
