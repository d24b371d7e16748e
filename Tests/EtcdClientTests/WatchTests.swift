import EtcdClient
import EtcdTestHarness
import Foundation
import Synchronization
import Testing

extension ClientSuites {
    @Suite("watch")
    struct WatchTests {
        @Test("a prefix watch delivers puts and deletes in revision order")
        func ordered() async throws {
            try await withClient { _, client in
                let start = try await client.put("/other", value: "x").header.revision
                let watch = Task {
                    var events: [WatchEvent] = []
                    for try await response in client.watch(.prefix("/w/"), options: WatchOptions(startRevision: start + 1)) {
                        events += response.events
                        if events.count == 4 { break }
                    }
                    return events
                }
                try await client.put("/w/a", value: "1")
                try await client.put("/w/b", value: "2")
                try await client.put("/out", value: "ignored")
                try await client.put("/w/a", value: "3")
                try await client.delete(.key("/w/b"))
                let events = try await within(.seconds(10), "watch") { try await watch.value }
                #expect(events.map(\.kind) == [.put, .put, .put, .delete])
                #expect(events.map(\.kv.keyString) == ["/w/a", "/w/b", "/w/a", "/w/b"])
                #expect(events.map(\.kv.valueString) == ["1", "2", "3", ""])
                #expect(events.map(\.revision) == events.map(\.revision).sorted())
                #expect(Set(events.map(\.revision)).count == 4)
            }
        }

        @Test("a watch from a compacted revision ends with the compacted error")
        func compacted() async throws {
            try await withClient { _, client in
                let first = try await client.put("/k", value: "1").header.revision
                let last = try await client.put("/k", value: "2").header.revision
                try await client.compact(revision: last)
                let error = await expectEtcdError(.compacted) {
                    for try await _ in client.watch(.key("/k"), options: WatchOptions(startRevision: first)) {}
                }
                #expect(error?.compactRevision == last)
                #expect(error?.message.contains("re-list") == true)
            }
        }

        @Test("a watch sees every revision once, in order, while each member is SIGKILLed and restarted")
        func failover() async throws {
            try await withEtcd(members: 3) { cluster in
                let writer = try makeClient(cluster)
                let watcher = try makeClient(cluster)
                let start = try await writer.put("/start", value: "0").header.revision
                let received = Mutex<[(String, Int64)]>([])
                let watch = Task {
                    for try await response in watcher.watch(.prefix("/f/"), options: WatchOptions(startRevision: start + 1)) {
                        received.withLock { list in list += response.events.map { ($0.kv.keyString, $0.revision) } }
                    }
                }
                let writing = Task {
                    var index = 0
                    while !Task.isCancelled {
                        let key = String(format: "/f/%06d", index)
                        // Create-if-absent: a retry after an ambiguous failure cannot write twice.
                        do {
                            _ = try await writer.txn(Txn(
                                compare: [.createRevision(key, .equal, 0)], success: [.put(key, Data("v"))]),
                                timeout: .seconds(2))
                            index += 1
                        } catch {
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                    }
                    return index
                }
                for member in 0..<3 {
                    try await Task.sleep(for: .milliseconds(600))
                    try await cluster.kill(member)
                    try await Task.sleep(for: .milliseconds(600))
                    try await cluster.restart(member)
                }
                try await Task.sleep(for: .milliseconds(500))
                writing.cancel()
                let written = await writing.value
                let stored = try await writer.rangeAll(.prefix("/f/"))
                let expected = stored.kvs.map { ($0.keyString, $0.createRevision) }
                try await within(.seconds(20), "the watch catching up") {
                    while received.withLock({ $0.count }) < expected.count {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                watch.cancel()
                // A write cancelled while in flight may still commit after the snapshot
                // above was read: events past the snapshot's revision are not in it.
                let seen = received.withLock { $0 }.filter { $0.1 <= stored.revision }
                #expect(written >= 50, "the writer made too little progress to prove anything: \(written)")
                #expect(seen.count == expected.count)
                #expect(seen.map(\.0) == expected.map(\.0))
                #expect(seen.map(\.1) == expected.map(\.1))
                #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.1 < $1.1 }, "revisions are strictly increasing")
                await writer.close()
                await watcher.close()
            }
        }
    }
}
