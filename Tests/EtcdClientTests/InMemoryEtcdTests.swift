import EtcdClient
import Foundation
import Testing

/// Fast tests of InMemoryEtcd's rules, no etcd needed. ``ClientSuites/InMemoryEtcdConformanceTests``
/// checks the same rules against a real etcd.
@Suite("InMemoryEtcd")
struct InMemoryEtcdTests {
    // MARK: Revisions and versions

    @Test("a fresh store is at revision 1 and each writing txn advances it by exactly one")
    func revisions() async throws {
        let etcd = InMemoryEtcd()
        #expect(etcd.currentRevision == 1)
        #expect(try await etcd.put("/a", value: Data("1")) == 2)
        let batch = try await etcd.txn(Txn(success: [.put("/b", Data("2")), .put("/c", Data("3")), .delete(.key("/a"))]))
        #expect(batch.header.revision == 3)
        #expect(etcd.value(of: "/b")?.modRevision == 3)
        #expect(etcd.value(of: "/c")?.modRevision == 3)
        #expect(etcd.value(of: "/a") == nil)
        let read = try await etcd.txn(Txn(success: [.get(.prefix("/"))]))
        #expect(read.header.revision == 3)
        #expect(try await etcd.delete(.key("/missing")) == 0)
        #expect(etcd.currentRevision == 3)
        #expect(try await etcd.range(.key("/b")).header.revision == 3)
    }

    @Test("versions count puts since creation and restart after a delete; create and mod revisions follow")
    func versions() async throws {
        let etcd = InMemoryEtcd()
        try await etcd.put("/k", value: Data("1"))
        try await etcd.put("/k", value: Data("2"))
        try await etcd.put("/k", value: Data("3"))
        let third = try #require(etcd.value(of: "/k"))
        #expect((third.version, third.createRevision, third.modRevision) == (3, 2, 4))
        try await etcd.delete(.key("/k"))
        try await etcd.put("/k", value: Data("again"))
        let again = try #require(try await etcd.get("/k"))
        #expect((again.version, again.createRevision, again.modRevision) == (1, 6, 6))
        #expect(again.valueString == "again")
    }

    @Test("a read at a past revision sees the store as it was then")
    func history() async throws {
        let etcd = InMemoryEtcd()
        try await etcd.put("/h/a", value: Data("1"))
        try await etcd.put("/h/b", value: Data("1"))
        try await etcd.put("/h/a", value: Data("2"))
        try await etcd.delete(.key("/h/b"))
        #expect(try await etcd.get("/h/b", revision: 3)?.valueString == "1")
        #expect(try await etcd.get("/h/b", revision: 5) == nil)
        #expect(try await etcd.get("/h/a", revision: 2)?.valueString == "1")
        #expect(try await etcd.get("/h/a", revision: 1) == nil)
        var options = RangeOptions()
        options.revision = 4
        let old = try await etcd.range(.prefix("/h/"), options: options)
        #expect(old.kvs.map(\.valueString) == ["2", "1"])
        #expect(old.header.revision == 5)
    }

    @Test("a future revision is refused as etcd refuses it, and so is a compacted one")
    func revisionErrors() async throws {
        let etcd = InMemoryEtcd()
        for value in ["1", "2", "3"] { try await etcd.put("/k", value: Data(value)) }
        let future = await expectEtcdError(.futureRevision) { _ = try await etcd.get("/k", revision: 5) }
        #expect(future?.message == "Range: OUT_OF_RANGE: etcdserver: mvcc: required revision is a future revision")
        try etcd.compact(revision: 3)
        #expect(etcd.compactedRevision == 3)
        let compacted = await expectEtcdError(.compacted) { _ = try await etcd.get("/k", revision: 2) }
        #expect(compacted?.message.contains("required revision has been compacted") == true)
        #expect(try await etcd.get("/k", revision: 3)?.valueString == "2")
        await expectEtcdError(.compacted) { try etcd.compact(revision: 3) }
        await expectEtcdError(.futureRevision) { try etcd.compact(revision: 9) }
        await expectEtcdError(.invalidArgument) { _ = try await etcd.range(.key("")) }
    }

    // MARK: Range options

    @Test("limit sets more, count counts every match; count-only and keys-only trim the answer")
    func limits() async throws {
        let etcd = try await Self.store(["/p/a": "1", "/p/b": "2", "/p/c": "3", "/q": "x"])
        var options = RangeOptions()
        options.limit = 2
        let page = try await etcd.range(.prefix("/p/"), options: options)
        #expect(page.kvs.map(\.keyString) == ["/p/a", "/p/b"])
        #expect(page.more && page.count == 3)
        options.limit = 3
        #expect(try await etcd.range(.prefix("/p/"), options: options).more == false)
        options.countOnly = true
        let counted = try await etcd.range(.prefix("/p/"), options: options)
        #expect(counted.kvs.isEmpty && counted.count == 3 && !counted.more)
        var keysOnly = RangeOptions()
        keysOnly.keysOnly = true
        let keys = try await etcd.range(.prefix("/p/"), options: keysOnly)
        #expect(keys.kvs.map(\.keyString) == ["/p/a", "/p/b", "/p/c"])
        #expect(keys.kvs.allSatisfy { $0.value.isEmpty && $0.version == 1 })
    }

    @Test("sorts by every target in both orders, ties in key order; a target without an order sorts ascending")
    func sorting() async throws {
        let etcd = InMemoryEtcd()
        try await etcd.put("/s/b", value: Data("z"))
        try await etcd.put("/s/a", value: Data("y"))
        try await etcd.put("/s/c", value: Data("y"))
        try await etcd.put("/s/b", value: Data("x"))
        func keys(_ target: RangeOptions.SortTarget, _ order: RangeOptions.SortOrder) async throws -> [String] {
            var options = RangeOptions()
            options.sortTarget = target
            options.sortOrder = order
            return try await etcd.range(.prefix("/s/"), options: options).kvs.map(\.keyString)
        }
        #expect(try await keys(.key, .none) == ["/s/a", "/s/b", "/s/c"])
        #expect(try await keys(.key, .descending) == ["/s/c", "/s/b", "/s/a"])
        #expect(try await keys(.createRevision, .ascending) == ["/s/b", "/s/a", "/s/c"])
        #expect(try await keys(.createRevision, .none) == ["/s/b", "/s/a", "/s/c"])
        #expect(try await keys(.modRevision, .descending) == ["/s/b", "/s/c", "/s/a"])
        #expect(try await keys(.version, .descending) == ["/s/b", "/s/a", "/s/c"])
        #expect(try await keys(.version, .ascending) == ["/s/a", "/s/c", "/s/b"])
        #expect(try await keys(.value, .ascending) == ["/s/b", "/s/a", "/s/c"])
        #expect(try await keys(.value, .descending) == ["/s/a", "/s/c", "/s/b"])
    }

    @Test("a sort target without an order sorts only the first limit + 1 keys, as etcd's store cuts before sorting")
    func sortWithoutOrder() async throws {
        let etcd = try await Self.store(["/u/a": "3", "/u/b": "2", "/u/c": "1", "/u/d": "0"])
        var options = RangeOptions()
        options.sortTarget = .value
        options.limit = 2
        let unordered = try await etcd.range(.prefix("/u/"), options: options)
        #expect(unordered.kvs.map(\.keyString) == ["/u/c", "/u/b"])
        #expect(unordered.more && unordered.count == 4)
        options.sortOrder = .ascending
        #expect(try await etcd.range(.prefix("/u/"), options: options).kvs.map(\.keyString) == ["/u/d", "/u/c"])
    }

    @Test("create and mod revision filters prune the keys but not the count")
    func filters() async throws {
        let etcd = try await Self.store(["/f/a": "1", "/f/b": "2", "/f/c": "3"])
        try await etcd.put("/f/a", value: Data("11"))
        var options = RangeOptions()
        options.minModRevision = 4
        let changed = try await etcd.range(.prefix("/f/"), options: options)
        #expect(changed.kvs.map(\.keyString) == ["/f/c", "/f/a"].sorted())
        #expect(changed.count == 3)
        options = RangeOptions()
        options.maxCreateRevision = 3
        options.limit = 1
        let old = try await etcd.range(.prefix("/f/"), options: options)
        #expect(old.kvs.map(\.keyString) == ["/f/a"] && old.more)
        options = RangeOptions()
        options.minCreateRevision = 3
        options.maxModRevision = 4
        #expect(try await etcd.range(.prefix("/f/"), options: options).kvs.map(\.keyString) == ["/f/b", "/f/c"])
    }

    @Test("key, prefix, range, from-key and raw byte ranges select what etcd selects")
    func shapes() async throws {
        let etcd = try await Self.store(["/a": "", "/b/1": "", "/b/2": "", "/c": "", "/d": ""])
        func keys(_ range: KeyRange) async throws -> [String] { try await etcd.range(range).kvs.map(\.keyString) }
        #expect(try await keys(.key("/b/1")) == ["/b/1"])
        #expect(try await keys(.key("/b")) == [])
        #expect(try await keys(.prefix("/b/")) == ["/b/1", "/b/2"])
        #expect(try await keys(.range(from: "/b/2", to: "/d")) == ["/b/2", "/c"])
        #expect(try await keys(.range(from: "/d", to: "/a")) == [])
        #expect(try await keys(.fromKey("/c")) == ["/c", "/d"])
        #expect(try await keys(.prefix("")) == ["/a", "/b/1", "/b/2", "/c", "/d"])
        #expect(try await keys(.bytes(from: Data("/c"), to: Data())) == ["/c"])
        #expect(try await keys(.bytes(from: Data("/b/2"), to: Data([0]))) == ["/b/2", "/c", "/d"])
        #expect(etcd.keys(withPrefix: "/b") == ["/b/1", "/b/2"])
    }

    @Test("paged reads and the EtcdKV conveniences work on the in-memory store")
    func conveniences() async throws {
        let etcd = InMemoryEtcd()
        _ = try await etcd.txn(Txn(success: (0..<25).map { .put(String(format: "/page/%02d", $0), Data("\($0)")) }))
        var pages = 0
        let revision = try await etcd.rangePaged(.prefix("/page/"), pageSize: 10) { _ in
            pages += 1
            try await etcd.put("/page/99", value: Data("late"))
        }
        #expect(pages == 3 && revision == 2)
        #expect(try await etcd.rangeAll(.prefix("/page/"), pageSize: 7).kvs.count == 26)
        #expect(try await etcd.delete(.prefix("/page/")) == 26)
        #expect(etcd.keys(withPrefix: "/page/").isEmpty)
    }

    // MARK: Transactions

    @Test("compares of every target hold or fail as etcd's do, on a key, a missing key and a range")
    func compares() async throws {
        let etcd = InMemoryEtcd()
        let lease = etcd.grantLease(ttl: 10)
        try await etcd.put("/c/k", value: Data("m"), lease: lease)
        try await etcd.put("/c/j", value: Data("m"))
        try await etcd.put("/c/j", value: Data("m"))
        let cases: [(Compare, Bool)] = [
            (.value("/c/k", .equal, Data("m")), true), (.value("/c/k", .greater, Data("a")), true),
            (.value("/c/k", .less, Data("a")), false), (.value("/c/k", .notEqual, Data("m")), false),
            (.value("/c/missing", .notEqual, Data("m")), false), (.value("/c/missing", .equal, Data()), false),
            (.version("/c/k", .equal, 1), true), (.version("/c/missing", .equal, 0), true), (.version("/c/j", .greater, 1), true),
            (.createRevision("/c/k", .equal, 2), true), (.createRevision("/c/missing", .equal, 0), true),
            (.createRevision("/c/j", .less, 3), false), (.modRevision("/c/j", .equal, 4), true),
            (.modRevision("/c/missing", .less, 1), true), (.lease("/c/k", .equal, lease), true),
            (.lease("/c/j", .equal, 0), true), (.lease("/c/missing", .notEqual, 0), false),
            (Compare.value("", .equal, Data("m")).over(.prefix("/c/")), true),
            (Compare.version("", .equal, 1).over(.prefix("/c/")), false),
            (Compare.value("", .equal, Data("m")).over(.prefix("/none/")), false),
            (Compare.version("", .equal, 0).over(.prefix("/none/")), true),
        ]
        for (compare, expected) in cases {
            let result = try await etcd.txn(Txn(compare: [compare], success: [.get(.key("/c/k"))], failure: [.get(.key("/c/j"))]))
            #expect(result.succeeded == expected, "\(compare)")
            #expect(result.responses.first?.range?.kvs.first?.keyString == (expected ? "/c/k" : "/c/j"))
        }
    }

    @Test("a get inside a txn sees its earlier writes, while nested compares judge the store before it")
    func txnVisibility() async throws {
        let etcd = InMemoryEtcd()
        let nested = Txn(compare: [.createRevision("/t/x", .equal, 0)], success: [.put("/t/y", Data("before"))], failure: [.put("/t/y", Data("after"))])
        let result = try await etcd.txn(Txn(success: [.get(.key("/t/x")), .put("/t/x", Data("1")), .get(.key("/t/x")), .txn(nested)]))
        #expect(result.responses[0].range?.kvs.isEmpty == true)
        #expect(result.responses[0].range?.header.revision == 1)
        #expect(result.responses[2].range?.kvs.first?.valueString == "1")
        #expect(result.responses[2].range?.header.revision == 2)
        let inner = try #require(result.responses[3].txn)
        #expect(inner.succeeded && inner.header.revision == 0)
        #expect(etcd.value(of: "/t/y")?.valueString == "before")
        #expect(result.header.revision == 2 && result.header.clusterID != 0)
    }

    @Test("put and delete hand back previous values; a delete's header advances only after a change")
    func previousValues() async throws {
        let etcd = try await Self.store(["/v/a": "1", "/v/b": "2"])
        let result = try await etcd.txn(Txn(success: [
            .delete(.key("/v/none")), .put("/v/a", Data("11"), previous: true), .put("/v/new", Data("n"), previous: true),
            .delete(.key("/v/none"), previous: true), .delete(.prefix("/v/b"), previous: true),
        ]))
        guard case .delete(let nothing) = result.responses[0], case .put(let replaced) = result.responses[1],
              case .put(let created) = result.responses[2], case .delete(let later) = result.responses[3],
              case .delete(let deleted) = result.responses[4] else {
            Issue.record("unexpected responses \(result.responses)")
            return
        }
        #expect(nothing.header.revision == 3 && nothing.deleted == 0)
        #expect(replaced.previous?.valueString == "1" && replaced.header.revision == 4)
        #expect(created.previous == nil)
        #expect(later.header.revision == 4 && later.previous.isEmpty)
        #expect(deleted.deleted == 1 && deleted.previous.map(\.valueString) == ["2"])
    }

    @Test("at most maxTxnOps compares or operations per level; a nested level gets what its parent leaves")
    func operationLimits() async throws {
        let etcd = InMemoryEtcd()
        func puts(_ count: Int, _ prefix: String = "/o/") -> [TxnOperation] { (0..<count).map { .put("\(prefix)\($0)", Data("v")) } }
        func compares(_ count: Int) -> [Compare] { (0..<count).map { .version("/o/\($0)", .less, 99) } }
        _ = try await etcd.txn(Txn(success: puts(128)))
        let tooMany = await expectEtcdError(.tooManyOperations) { _ = try await etcd.txn(Txn(success: puts(129))) }
        #expect(tooMany?.message == "Txn: INVALID_ARGUMENT: etcdserver: too many operations in txn request")
        await expectEtcdError(.tooManyOperations) { _ = try await etcd.txn(Txn(compare: compares(129))) }
        await expectEtcdError(.tooManyOperations) { _ = try await etcd.txn(Txn(success: [.get(.key("/o/1"))], failure: puts(129))) }
        // A fenced batch: one compare outside leaves 127 inside.
        try await etcd.put("/leader", value: Data("me"))
        let fence = Fence(key: "/leader", token: etcd.currentRevision)
        let batch = Txn(compare: compares(127), success: puts(127, "/f/"))
        guard case .committed(let inner) = try await etcd.txn(batch, fencedBy: fence) else {
            Issue.record("the fence should hold")
            return
        }
        #expect(inner.succeeded && inner.responses.count == 127)
        await expectEtcdError(.tooManyOperations) { _ = try await etcd.txn(Txn(compare: compares(1), success: puts(128, "/g/")), fencedBy: fence) }
        await expectEtcdError(.tooManyOperations) { _ = try await etcd.txn(Txn(compare: compares(128), success: puts(1, "/g/")), fencedBy: fence) }
        let small = InMemoryEtcd(maxTxnOps: 3)
        _ = try await small.txn(Txn(compare: compares(1), success: [.txn(Txn(success: puts(2)))]))
        await expectEtcdError(.tooManyOperations) { _ = try await small.txn(Txn(compare: compares(2), success: [.txn(Txn(success: puts(2)))])) }
        #expect(etcd.keys(withPrefix: "/g/").isEmpty)
    }

    @Test("a key put twice, or put and deleted, in one txn is refused; exclusive branches may share a key")
    func duplicateKeys() async throws {
        let etcd = InMemoryEtcd()
        let refused: [Txn] = [
            Txn(success: [.put("/d/a", Data("1")), .put("/d/a", Data("2"))]),
            Txn(success: [.delete(.key("/d/a")), .put("/d/a", Data("1"))]),
            Txn(success: [.put("/d/x", Data("1")), .delete(.prefix("/d/"))]),
            Txn(success: [.put("/d/a", Data("1")), .txn(Txn(success: [.put("/d/a", Data("2"))]))]),
            Txn(success: [.txn(Txn(success: [.delete(.key("/d/a"))])), .put("/d/a", Data("1"))]),
            Txn(success: [.txn(Txn(failure: [.put("/d/a", Data("1"))])), .txn(Txn(success: [.put("/d/a", Data("2"))]))]),
        ]
        for txn in refused {
            let error = await expectEtcdError(.duplicateKey) { _ = try await etcd.txn(txn) }
            #expect(error?.message == "Txn: INVALID_ARGUMENT: etcdserver: duplicate key given in txn request")
        }
        #expect(etcd.currentRevision == 1)
        // Only one branch runs, and etcd's interval check misses a from-key delete.
        _ = try await etcd.txn(Txn(success: [.txn(Txn(success: [.put("/d/a", Data("then"))], failure: [.put("/d/a", Data("else"))]))]))
        _ = try await etcd.txn(Txn(success: [.put("/d/a", Data("1"))], failure: [.put("/d/a", Data("2"))]))
        _ = try await etcd.txn(Txn(success: [.delete(.range(from: "/d/a", to: "/d/c")), .put("/d/c", Data("end is exclusive"))]))
        let quirk = try await etcd.txn(Txn(success: [.put("/d/q", Data("1")), .delete(.fromKey("/d/"))]))
        #expect(quirk.header.revision == 5)
        #expect(etcd.keys(withPrefix: "/d/").isEmpty)
    }

    @Test("a put with an unknown lease, or a get at a future revision, on the branch taken refuses the txn")
    func applyChecks() async throws {
        let etcd = InMemoryEtcd()
        let error = await expectEtcdError(.leaseNotFound) { _ = try await etcd.txn(Txn(success: [.put("/a", Data("1"), lease: 42)])) }
        #expect(error?.message == "Txn: NOT_FOUND: etcdserver: requested lease not found")
        var future = RangeOptions()
        future.revision = 10
        await expectEtcdError(.futureRevision) { _ = try await etcd.txn(Txn(success: [.put("/a", Data("1")), .get(.key("/a"), future)])) }
        #expect(etcd.currentRevision == 1)
        _ = try await etcd.txn(Txn(compare: [.version("/a", .equal, 0)], success: [.put("/a", Data("1"))], failure: [.put("/b", Data("1"), lease: 42)]))
        #expect(etcd.currentRevision == 2)
        await expectEtcdError(.invalidArgument) { _ = try await etcd.txn(Txn(success: [.put("", Data("1"))])) }
    }

    @Test("a txn larger than maxRequestBytes is refused")
    func requestSize() async throws {
        let etcd = InMemoryEtcd(maxRequestBytes: 1000)
        _ = try await etcd.txn(Txn(success: [.put("/small", Data(repeating: 1, count: 900))]))
        let error = await expectEtcdError(.requestTooLarge) { _ = try await etcd.txn(Txn(success: [.put("/big", Data(repeating: 1, count: 1001))])) }
        #expect(error?.message.contains("request is too large") == true)
    }

    // MARK: Leases

    @Test("revoking a lease deletes its keys in one revision; a key rewritten without it is released")
    func leases() async throws {
        let etcd = InMemoryEtcd()
        let lease = etcd.grantLease(ttl: 5)
        let other = etcd.grantLease(ttl: 5)
        #expect(lease != other && lease != 0)
        try await etcd.put("/s/a", value: Data("1"), lease: lease)
        try await etcd.put("/s/b", value: Data("1"), lease: lease)
        try await etcd.put("/s/c", value: Data("1"), lease: lease)
        try await etcd.put("/s/c", value: Data("2"))
        #expect(etcd.value(of: "/s/a")?.lease == lease && etcd.value(of: "/s/c")?.lease == 0)
        let watch = etcd.watch(.prefix("/s/"))
        try etcd.revokeLease(lease)
        #expect(etcd.currentRevision == 6)
        #expect(etcd.keys(withPrefix: "/s/") == ["/s/c"])
        var iterator = watch.makeAsyncIterator()
        let response = try #require(try await iterator.next())
        #expect(response.revision == 6 && response.events.map(\.kind) == [.delete, .delete])
        #expect(response.events.map(\.kv.keyString) == ["/s/a", "/s/b"])
        await expectEtcdError(.leaseNotFound) { try etcd.revokeLease(lease) }
        await expectEtcdError(.leaseNotFound) { try await etcd.put("/s/d", value: Data("1"), lease: lease) }
        try etcd.revokeLease(other)
        #expect(etcd.currentRevision == 6)
    }

    /// A store holding `values`, written one put each in key order.
    static func store(_ values: [String: String]) async throws -> InMemoryEtcd {
        let etcd = InMemoryEtcd()
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            try await etcd.put(key, value: Data(value))
        }
        return etcd
    }
}
