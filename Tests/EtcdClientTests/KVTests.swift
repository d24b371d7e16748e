import EtcdClient
import EtcdTestHarness
import Foundation
import Testing

extension ClientSuites {
    @Suite("KV and Txn")
    struct KVTests {
        @Test("put, get and delete round-trip with previous values and revisions")
        func putGetDelete() async throws {
            try await withClient { _, client in
                let first = try await client.put("/a/1", value: "one")
                let second = try await client.put("/a/1", value: "uno", previous: true)
                #expect(second.previous?.valueString == "one")
                #expect(second.header.revision == first.header.revision + 1)
                let read = try #require(try await client.get("/a/1"))
                #expect(read.valueString == "uno")
                #expect(read.version == 2)
                #expect(read.createRevision == first.header.revision)
                #expect(read.modRevision == second.header.revision)
                let old = try #require(try await client.get("/a/1", revision: first.header.revision))
                #expect(old.valueString == "one")
                let deleted = try await client.delete(.key("/a/1"), previous: true)
                #expect(deleted.deleted == 1)
                #expect(deleted.previous.first?.valueString == "uno")
                #expect(try await client.get("/a/1") == nil)
            }
        }

        @Test("prefix ranges honour limit, sort order, count and keys-only")
        func prefixRanges() async throws {
            try await withClient { _, client in
                for name in ["b", "a", "c"] {
                    try await client.put("/p/\(name)", value: name)
                }
                try await client.put("/q/x", value: "outside")
                var options = RangeOptions()
                options.sortOrder = .descending
                options.limit = 2
                let page = try await client.range(.prefix("/p/"), options: options)
                #expect(page.kvs.map(\.keyString) == ["/p/c", "/p/b"])
                #expect(page.more)
                #expect(page.count == 3)
                var countOnly = RangeOptions()
                countOnly.countOnly = true
                #expect(try await client.range(.prefix("/p/"), options: countOnly).count == 3)
                var keysOnly = RangeOptions()
                keysOnly.keysOnly = true
                let keys = try await client.range(.prefix("/p/"), options: keysOnly)
                #expect(keys.kvs.allSatisfy { $0.value.isEmpty })
                let span = try await client.range(.range(from: "/p/a", to: "/p/c"))
                #expect(span.kvs.map(\.keyString) == ["/p/a", "/p/b"])
            }
        }

        @Test("paging reads a prefix larger than one page at one consistent revision")
        func paging() async throws {
            try await withClient { _, client in
                let total = 2_345
                for batch in stride(from: 0, to: total, by: 100) {
                    let puts = (batch..<min(batch + 100, total)).map {
                        TxnOperation.put(String(format: "/page/%05d", $0), Data("v\($0)"))
                    }
                    _ = try await client.txn(Txn(success: puts))
                }
                var pages = 0
                var seen: [String] = []
                var wroteDuringRead = false
                let revision = try await client.rangePaged(.prefix("/page/"), pageSize: 500) { kvs in
                    pages += 1
                    seen += kvs.map(\.keyString)
                    if !wroteDuringRead {
                        // A write after the first page must not show up in later pages.
                        wroteDuringRead = true
                        try await client.put("/page/99999", value: "late")
                    }
                }
                #expect(pages == 5)
                #expect(seen.count == total)
                #expect(seen == seen.sorted())
                #expect(Set(seen).count == total)
                #expect(!seen.contains("/page/99999"))
                let all = try await client.rangeAll(.prefix("/page/"), pageSize: 1000)
                #expect(all.kvs.count == total + 1)
                #expect(all.revision > revision)
            }
        }

        @Test("Txn compares on value, version, create revision, mod revision and lease")
        func compares() async throws {
            try await withClient { _, client in
                let lease = try await client.leaseGrant(ttl: 30)
                let put = try await client.put("/c/k", value: "v1", lease: lease.id)
                let created = put.header.revision
                let cases: [(Compare, Bool)] = [
                    (.value("/c/k", .equal, Data("v1")), true),
                    (.value("/c/k", .notEqual, Data("v1")), false),
                    (.value("/c/k", .greater, Data("v0")), true),
                    (.version("/c/k", .equal, 1), true),
                    (.version("/c/k", .greater, 1), false),
                    (.version("/c/missing", .equal, 0), true),
                    (.createRevision("/c/k", .equal, created), true),
                    (.createRevision("/c/k", .less, created), false),
                    (.createRevision("/c/missing", .equal, 0), true),
                    (.modRevision("/c/k", .equal, created), true),
                    (.modRevision("/c/k", .greater, created), false),
                    (.lease("/c/k", .equal, lease.id), true),
                    (.lease("/c/k", .equal, 0), false),
                ]
                for (compare, expected) in cases {
                    let result = try await client.txn(Txn(
                        compare: [compare], success: [.get(.key("/c/k"))], failure: [.get(.key("/c/missing"))]))
                    #expect(result.succeeded == expected, "\(compare)")
                    let read = try #require(result.responses.first?.range)
                    #expect(read.kvs.count == (expected ? 1 : 0))
                }
                // A compare over a prefix holds only if it holds for every key in it.
                try await client.put("/c/l", value: "v1")
                let all = try await client.txn(Txn(compare: [Compare.value("/c/", .equal, Data("v1")).over(.prefix("/c/"))]))
                #expect(all.succeeded)
                try await client.put("/c/m", value: "v2")
                let notAll = try await client.txn(Txn(compare: [Compare.value("/c/", .equal, Data("v1")).over(.prefix("/c/"))]))
                #expect(!notAll.succeeded)
            }
        }

        @Test("nested Txn runs the inner branch its own compares select, atomically")
        func nestedTxn() async throws {
            try await withClient { _, client in
                try await client.put("/n/guard", value: "open")
                let inner = Txn(
                    compare: [.createRevision("/n/record", .equal, 0)],
                    success: [.put("/n/record", Data("first")), .get(.key("/n/guard"))],
                    failure: [.get(.key("/n/record"))])
                let outer = Txn(compare: [.value("/n/guard", .equal, Data("open"))], success: [.txn(inner)])
                let first = try await client.txn(outer)
                #expect(first.succeeded)
                let firstInner = try #require(first.responses.first?.txn)
                #expect(firstInner.succeeded)
                #expect(firstInner.responses.count == 2)
                let second = try await client.txn(outer)
                let secondInner = try #require(second.responses.first?.txn)
                #expect(!secondInner.succeeded)
                #expect(secondInner.responses.first?.range?.kvs.first?.valueString == "first")
                #expect(second.header.revision == first.header.revision)
            }
        }

        @Test("reading a compacted revision fails with a distinct compacted error")
        func compaction() async throws {
            try await withClient { _, client in
                let old = try await client.put("/k", value: "1")
                let new = try await client.put("/k", value: "2")
                try await client.compact(revision: new.header.revision, physical: true)
                let error = await expectEtcdError(.compacted) {
                    _ = try await client.get("/k", revision: old.header.revision)
                }
                #expect(error?.message.contains("compacted") == true)
            }
        }

        @Test("an oversize request and a 129-operation Txn give clear errors")
        func limits() async throws {
            try await withClient { _, client in
                let big = Data(repeating: 0x61, count: 2 * 1024 * 1024)
                let tooLarge = await expectEtcdError(.requestTooLarge) {
                    try await client.put("/big", value: big)
                }
                #expect(tooLarge?.message.contains("Put") == true)
                let ops = (0..<129).map { TxnOperation.put("/ops/\($0)", Data("x")) }
                let tooMany = await expectEtcdError(.tooManyOperations) {
                    _ = try await client.txn(Txn(success: ops))
                }
                #expect(tooMany?.message.contains("too many operations") == true)
                // 128 is allowed, and the client still works after both refusals.
                _ = try await client.txn(Txn(success: Array(ops.prefix(128))))
                #expect(try await client.range(.prefix("/ops/")).count == 128)
            }
        }
    }
}
