import EtcdClient
import Foundation
import Testing

/// The scripts of ``ClientSuites/InMemoryEtcdConformanceTests``: each drives a fresh store
/// through a sequence of calls and records what it observes. They must observe the same on
/// a real etcd and on an InMemoryEtcd.
enum ConformanceScripts {
    static func ranges(_ r: inout ConformanceRecorder) async throws {
        _ = try await r.revision("fresh store")
        await r.put("/r/a", "1")
        await r.put("/r/b", "2")
        await r.put("/r/c", "3")
        await r.put("/r/a", "11")
        await r.txn("delete /r/b", Txn(success: [.delete(.key("/r/b"))]))
        await r.put("/r/b", "22")
        await r.put("/s/x", "x")
        await r.put("/r/d", "0")
        await r.put("/r/c", "33")
        await r.put("/r/e", "5")
        let current = try await r.revision("after the writes")

        let shapes: [(String, KeyRange)] = [
            ("key", .key("/r/a")), ("missing key", .key("/r/none")), ("prefix", .prefix("/r/")),
            ("range", .range(from: "/r/b", to: "/r/d")), ("inverted range", .range(from: "/r/d", to: "/r/b")),
            ("from key", .fromKey("/r/c")), ("bytes single", .bytes(from: Data("/r/b"), to: Data())),
            ("bytes to end", .bytes(from: Data("/r/"), to: Data([0]))), ("everything", .prefix("")),
        ]
        for (name, keys) in shapes {
            await r.range(name, keys)
        }
        for revision in 1...current {
            var options = RangeOptions()
            options.revision = revision
            await r.range("prefix at revision \(revision)", .prefix("/r/"), options)
        }
        for limit: Int64 in [1, 2, 5, 6, 100] {
            var options = RangeOptions()
            options.limit = limit
            await r.range("limit \(limit)", .prefix("/r/"), options)
            options.countOnly = true
            await r.range("count only, limit \(limit)", .prefix("/r/"), options)
        }
        var keysOnly = RangeOptions()
        keysOnly.keysOnly = true
        await r.range("keys only", .prefix("/r/"), keysOnly)
        let targets: [RangeOptions.SortTarget] = [.key, .version, .createRevision, .modRevision, .value]
        let orders: [RangeOptions.SortOrder] = [.none, .ascending, .descending]
        for target in targets {
            for order in orders {
                var options = RangeOptions()
                options.sortTarget = target
                options.sortOrder = order
                await r.range("sort by \(target) \(order)", .prefix("/r/"), options)
                options.limit = 2
                await r.range("sort by \(target) \(order), limit 2", .prefix("/r/"), options)
            }
        }
        let filters: [(String, (inout RangeOptions) -> Void)] = [
            ("min mod 5", { $0.minModRevision = 5 }), ("max mod 5", { $0.maxModRevision = 5 }),
            ("min create 4", { $0.minCreateRevision = 4 }), ("max create 3", { $0.maxCreateRevision = 3 }),
            ("min mod 4, max create 7, limit 1", { $0.minModRevision = 4; $0.maxCreateRevision = 7; $0.limit = 1 }),
            ("min mod 6, count only", { $0.minModRevision = 6; $0.countOnly = true }),
            ("max mod 3 at revision 6", { $0.maxModRevision = 3; $0.revision = 6 }),
        ]
        for (name, set) in filters {
            var options = RangeOptions()
            set(&options)
            await r.range(name, .prefix("/r/"), options)
        }
        var future = RangeOptions()
        future.revision = current + 1
        await r.range("a future revision", .prefix("/r/"), future)
        await r.range("an empty key", .key(""))

        await r.compact("compact at 4", 4)
        for revision: Int64 in [3, 4, 5] {
            var options = RangeOptions()
            options.revision = revision
            await r.range("after compaction, at revision \(revision)", .prefix("/r/"), options)
        }
        var compacted = RangeOptions()
        compacted.revision = 3
        await r.txn("a get at a compacted revision inside a txn", Txn(success: [.get(.prefix("/r/"), compacted)]))
        await r.compact("compact at 4 again", 4)
        await r.compact("compact at 3", 3)
        await r.compact("compact in the future", current + 5)
        await r.compact("compact at the current revision", current)
        await r.range("after compacting everything", .prefix("/r/"))
    }

    static func compares(_ r: inout ConformanceRecorder) async throws {
        let lease = try await r.grantLease()
        let created = await r.put("/c/a", "m")
        await r.put("/c/b", "m")
        let modified = await r.put("/c/b", "m")
        await r.put("/c/l", "m", lease: lease)
        let targets: [(String, (String, Compare.Operator) -> Compare)] = [
            ("value m", { .value($0, $1, Data("m")) }), ("value a", { .value($0, $1, Data("a")) }),
            ("value z", { .value($0, $1, Data("z")) }), ("empty value", { .value($0, $1, Data()) }),
            ("version 0", { .version($0, $1, 0) }), ("version 1", { .version($0, $1, 1) }), ("version 2", { .version($0, $1, 2) }),
            ("create 0", { .createRevision($0, $1, 0) }), ("create \(created)", { .createRevision($0, $1, created) }),
            ("mod \(modified)", { .modRevision($0, $1, modified) }), ("mod 0", { .modRevision($0, $1, 0) }),
            ("lease L1", { .lease($0, $1, lease) }), ("lease 0", { .lease($0, $1, 0) }),
        ]
        let subjects: [(String, KeyRange)] = [
            ("/c/a", .key("/c/a")), ("/c/b", .key("/c/b")), ("/c/l", .key("/c/l")), ("missing", .key("/c/missing")),
            ("prefix /c/", .prefix("/c/")), ("empty prefix", .prefix("/none/")), ("range [/c/a, /c/c)", .range(from: "/c/a", to: "/c/c")),
        ]
        let operators: [Compare.Operator] = [.equal, .notEqual, .greater, .less]
        for (targetName, target) in targets {
            for (subjectName, subject) in subjects {
                for op in operators {
                    await r.txn(
                        "\(targetName) \(op) on \(subjectName)",
                        Txn(compare: [target("/c/a", op).over(subject)], success: [.get(.key("/c/a"))], failure: [.get(.key("/c/b"))]))
                }
            }
        }
        await r.txn("several compares, all hold", Txn(
            compare: [.value("/c/a", .equal, Data("m")), .version("/c/b", .equal, 2), .lease("/c/l", .equal, lease)],
            success: [.get(.prefix("/c/"))]))
        await r.txn("several compares, the last fails", Txn(
            compare: [.value("/c/a", .equal, Data("m")), .version("/c/b", .equal, 3)],
            success: [.get(.prefix("/c/"))], failure: [.get(.key("/c/l"))]))
    }

    static func transactions(_ r: inout ConformanceRecorder) async throws {
        await r.put("/t/a", "0")
        await r.txn("gets see the txn's earlier writes", Txn(success: [
            .get(.prefix("/t/")), .put("/t/a", Data("1"), previous: true), .get(.prefix("/t/")),
            .put("/t/b", Data("2"), previous: true), .delete(.key("/t/none"), previous: true), .get(.prefix("/t/")),
        ]))
        await r.txn("read-only txn", Txn(success: [.get(.prefix("/t/"))]))
        await r.txn("empty txn", Txn())
        await r.txn("delete of a missing key writes nothing", Txn(success: [.delete(.key("/t/none"))]))
        await r.txn("delete of nothing, then a put", Txn(success: [.delete(.key("/t/none")), .put("/t/c", Data("3"))]))
        await r.txn("a put, then a delete of nothing", Txn(success: [.put("/t/d", Data("4")), .delete(.key("/t/none"))]))
        await r.txn("delete a range with previous values", Txn(success: [.delete(.range(from: "/t/b", to: "/t/d"), previous: true)]))
        await r.txn("recreate a deleted key", Txn(success: [.put("/t/b", Data("again"), previous: true), .get(.key("/t/b"))]))
        var past = RangeOptions()
        past.revision = 3
        past.sortOrder = .descending
        past.limit = 1
        await r.txn("a get at a past revision with options", Txn(success: [.put("/t/e", Data("5")), .get(.prefix("/t/"), past)]))
        let nested = Txn(
            compare: [.createRevision("/t/x", .equal, 0)],
            success: [.put("/t/y", Data("inner saw no /t/x")), .get(.prefix("/t/x"))],
            failure: [.put("/t/y", Data("inner saw /t/x"))])
        await r.txn("nested compares judge the store before the txn", Txn(
            compare: [.createRevision("/t/x", .equal, 0)],
            success: [.put("/t/x", Data("1")), .txn(nested), .get(.prefix("/t/"))]))
        await r.txn("the same txn again takes the other branches", Txn(
            compare: [.createRevision("/t/x", .equal, 0)],
            success: [.put("/t/x", Data("1")), .txn(nested)],
            failure: [.txn(nested), .get(.key("/t/y"))]))
        let deep = Txn(compare: [.value("/t/a", .equal, Data("1"))], success: [.txn(Txn(
            compare: [.version("/t/b", .greater, 0)],
            success: [.txn(Txn(success: [.put("/t/deep", Data("3 levels")), .get(.key("/t/deep"))]))],
            failure: [.put("/t/deep", Data("no"))]))])
        await r.txn("three levels of nesting", deep)
        await r.txn("delete everything with previous values", Txn(success: [.delete(.prefix("/t/"), previous: true), .get(.prefix("/t/"))]))

        let leader = await r.txn("a leader key", Txn(success: [.put("/t/leader", Data("me"))]))
        let fence = Fence(key: "/t/leader", token: leader?.header.revision ?? 0)
        let stale = Fence(key: "/t/leader", token: 1)
        for (name, fence) in [("held fence", fence), ("stale fence", stale)] {
            do {
                let plain = try await r.kv.txn(Txn(success: [.put("/t/f1", Data(name))]), fencedBy: fence)
                r.note("\(name), plain batch", describe(plain, r))
                let guarded = try await r.kv.txn(
                    Txn(compare: [.createRevision("/t/f2", .equal, 0)], success: [.put("/t/f2", Data(name))], failure: [.get(.key("/t/f2"))]),
                    fencedBy: fence)
                r.note("\(name), batch with compares", describe(guarded, r))
            } catch {
                r.note(name, r.describe(error))
            }
        }
    }

    static func refusals(_ r: inout ConformanceRecorder) async throws {
        func puts(_ count: Int, _ prefix: String = "/x/") -> [TxnOperation] {
            (0..<count).map { .put(String(format: "\(prefix)%03d", $0), Data("v")) }
        }
        func compares(_ count: Int) -> [Compare] {
            (0..<count).map { .version(String(format: "/x/%03d", $0), .less, 1000) }
        }
        await r.txn("128 puts", Txn(success: puts(128)))
        await r.txn("129 puts", Txn(success: puts(129)))
        await r.txn("128 compares", Txn(compare: compares(128)))
        await r.txn("129 compares", Txn(compare: compares(129)))
        await r.txn("129 failure operations", Txn(failure: puts(129)))
        await r.txn("nested: 1 compare outside, 127 puts inside", Txn(compare: compares(1), success: [.txn(Txn(success: puts(127)))]))
        await r.txn("nested: 1 compare outside, 128 puts inside", Txn(compare: compares(1), success: [.txn(Txn(success: puts(128)))]))
        await r.txn("nested: 2 operations outside, 126 inside", Txn(success: [.get(.key("/x/000")), .txn(Txn(compare: compares(126)))]))
        await r.txn("nested: 2 operations outside, 127 inside", Txn(success: [.get(.key("/x/000")), .txn(Txn(compare: compares(127)))]))
        await r.txn("nested in the untaken branch is counted too", Txn(compare: compares(1), failure: [.txn(Txn(success: puts(128)))]))
        await r.txn("two levels deep", Txn(compare: compares(2), success: [.txn(Txn(compare: compares(3), success: [.txn(Txn(success: puts(124)))]))]))
        await r.txn("two levels deep, one too many", Txn(compare: compares(2), success: [.txn(Txn(compare: compares(3), success: [.txn(Txn(success: puts(125)))]))]))
        let leader = await r.txn("a leader key", Txn(success: [.put("/x/leader", Data("me"))]))
        let fence = Fence(key: "/x/leader", token: leader?.header.revision ?? 0)
        for (name, batch) in [
            ("fenced 127 puts with a compare", Txn(compare: compares(1), success: puts(127, "/y/"))),
            ("fenced 128 puts with a compare", Txn(compare: compares(1), success: puts(128, "/y/"))),
            ("fenced 127 compares", Txn(compare: compares(127), success: puts(1, "/y/"))),
            ("fenced 128 compares", Txn(compare: compares(128), success: puts(1, "/y/"))),
            ("fenced 128 puts without compares", Txn(success: puts(128, "/z/"))),
        ] {
            do {
                r.note(name, describe(try await r.kv.txn(batch, fencedBy: fence), r))
            } catch {
                r.note(name, r.describe(error))
            }
        }

        let duplicates: [(String, Txn)] = [
            ("a key put twice", Txn(success: [.put("/d/a", Data("1")), .put("/d/a", Data("2"))])),
            ("put, then delete the key", Txn(success: [.put("/d/a", Data("1")), .delete(.key("/d/a"))])),
            ("delete, then put the key", Txn(success: [.delete(.key("/d/a")), .put("/d/a", Data("1"))])),
            ("delete a prefix, put under it", Txn(success: [.delete(.prefix("/d/")), .put("/d/x", Data("1"))])),
            ("delete a range, put at its end", Txn(success: [.delete(.range(from: "/d/a", to: "/d/c")), .put("/d/c", Data("1"))])),
            ("delete from a key, put after it", Txn(success: [.put("/d/q", Data("1")), .delete(.fromKey("/d/"))])),
            ("put in a nested txn and outside", Txn(success: [.put("/d/a", Data("1")), .txn(Txn(success: [.put("/d/a", Data("2"))]))])),
            ("put in both branches of a nested txn", Txn(success: [.txn(Txn(
                compare: [.version("/d/a", .equal, 0)], success: [.put("/d/a", Data("then"))], failure: [.put("/d/a", Data("else"))]))])),
            ("put in two nested txns", Txn(success: [.txn(Txn(success: [.put("/d/a", Data("1"))])), .txn(Txn(success: [.put("/d/a", Data("2"))]))])),
            ("deleted outside, put in a nested txn", Txn(success: [.delete(.prefix("/d/")), .txn(Txn(success: [.put("/d/a", Data("1"))]))])),
            ("deleted in a nested txn, put outside", Txn(success: [.txn(Txn(success: [.delete(.key("/d/a"))])), .put("/d/a", Data("1"))])),
            ("success and failure put the same key", Txn(success: [.put("/d/a", Data("1"))], failure: [.put("/d/a", Data("2"))])),
            ("a duplicate in the failure branch", Txn(success: [.put("/d/b", Data("1"))], failure: [.put("/d/a", Data("1")), .put("/d/a", Data("2"))])),
            ("deleted twice", Txn(success: [.delete(.key("/d/a")), .delete(.prefix("/d/"))])),
            ("too many and a duplicate", Txn(success: [.put("/d/a", Data("1")), .put("/d/a", Data("2"))] + puts(128))),
        ]
        for (name, txn) in duplicates {
            await r.txn(name, txn)
        }
        await r.txn("a put with a lease that does not exist", Txn(success: [.put("/l/a", Data("1"), lease: 12345)]))
        await r.txn("a missing lease in the untaken branch", Txn(success: [.put("/l/a", Data("1"))], failure: [.put("/l/b", Data("1"), lease: 12345)]))
        var future = RangeOptions()
        future.revision = 100_000
        await r.txn("a get at a future revision", Txn(success: [.put("/l/c", Data("1")), .get(.prefix("/l/"), future)]))
        await r.txn("a future get in the untaken branch", Txn(compare: [.version("/l/c", .equal, 0)], success: [.get(.prefix("/l/"), future)]))
        await r.txn("an empty key put", Txn(success: [.put("", Data("1"))]))
        await r.txn("an empty key compare", Txn(compare: [.version("", .equal, 0)]))
        await r.txn("an empty key get in a nested txn", Txn(success: [.txn(Txn(failure: [.get(.key(""))]))]))
        await r.range("an empty key range", .key(""))
        await r.txn("1.6 MiB", Txn(success: [.put("/big", Data(repeating: 0x61, count: 1_677_722))]))
        await r.txn("1.4 MiB", Txn(success: [.put("/big", Data(repeating: 0x61, count: 1_468_006))]))
        _ = try await r.revision("refusals wrote nothing")
        await r.range("what the accepted ones wrote", .prefix("/"), { var o = RangeOptions(); o.keysOnly = true; o.sortTarget = .modRevision; o.sortOrder = .descending; o.limit = 12; return o }())
    }

    static func watches(_ r: inout ConformanceRecorder) async throws {
        let lease = try await r.grantLease()
        let start = await r.put("/w/a", "1")
        await r.txn("one txn, several events", Txn(success: [.put("/w/c", Data("3")), .put("/w/b", Data("2")), .put("/w/a", Data("11"))]))
        await r.put("/w/l1", "x", lease: lease)
        await r.put("/w/l0", "x", lease: lease)
        await r.put("/other", "x")
        await r.txn("delete a range", Txn(success: [.delete(.range(from: "/w/b", to: "/w/d"))]))
        await r.txn("put, then delete from the key", Txn(success: [.put("/w/a", Data("12")), .delete(.fromKey("/w/a"))]))
        await r.put("/w/a", "13")
        await r.put("/w/l1", "y", lease: lease)
        await r.revokeLease("revoke", lease)
        await r.put("/w/~end", "end")
        await r.txn("end", Txn(success: [.delete(.key("/w/~end"))]))

        var options = WatchOptions(startRevision: start)
        await r.watch("prefix from the first write", .prefix("/w/"), options, until: "/w/~end")
        options.previousKV = true
        await r.watch("with previous values", .prefix("/w/"), options, until: "/w/~end")
        options.noPut = true
        await r.watch("no puts, with previous values", .fromKey("/w/"), options, until: "/w/~end")
        options = WatchOptions(startRevision: start + 3)
        options.noDelete = true
        await r.watch("no deletes, from a later revision", .range(from: "/w/b", to: "/w/~z"), options, until: "/w/~end")

        let now = try await r.revision("before live writes")
        let kv = r.kv
        let live = Task {
            var events: [WatchEvent] = []
            var options = WatchOptions(startRevision: now + 1)
            options.previousKV = true
            for try await response in kv.watch(.prefix("/live/"), options: options) {
                events += response.events
                if events.count >= 5 { break }
            }
            return events
        }
        let future = Task {
            var events: [WatchEvent] = []
            for try await response in kv.watch(.prefix("/live/"), options: WatchOptions(startRevision: now + 3)) {
                events += response.events
                if events.count >= 2 { break }
            }
            return events
        }
        await r.put("/live/a", "1")
        await r.txn("live txn", Txn(success: [.put("/live/b", Data("2")), .put("/live/a", Data("2"))]))
        await r.txn("live delete", Txn(success: [.delete(.prefix("/live/"))]))
        let events = try await within(.seconds(10), "live watch") { try await live.value }
        r.note("live events", events.map(r.describe).joined(separator: "\n    "))
        let later = try await within(.seconds(10), "watch from a future revision") { try await future.value }
        r.note("events from a future start revision", later.map(r.describe).joined(separator: "\n    "))

        await r.compact("compact", now)
        await r.watch("from before the compaction", .prefix("/w/"), WatchOptions(startRevision: now - 1), until: "/w/~end")
        await r.put("/w/~end", "again")
        await r.watch("from the compaction", .prefix("/w/"), WatchOptions(startRevision: now), until: "/w/~end")
    }

    static func leases(_ r: inout ConformanceRecorder) async throws {
        let first = try await r.grantLease()
        let second = try await r.grantLease()
        await r.put("/l/a", "1", lease: first)
        await r.put("/l/b", "1", lease: first)
        await r.put("/l/c", "1", lease: second)
        await r.put("/l/b", "2")
        await r.put("/l/c", "2", lease: first)
        await r.txn("lease compares", Txn(
            compare: [.lease("/l/a", .equal, first), .lease("/l/b", .equal, 0), .lease("/l/c", .greater, 0)],
            success: [.get(.prefix("/l/"))]))
        await r.revokeLease("revoke the first", first)
        await r.range("after revoking", .prefix("/l/"))
        await r.revokeLease("revoke it again", first)
        await r.txn("put with the revoked lease", Txn(success: [.put("/l/d", Data("1"), lease: first)]))
        await r.revokeLease("revoke the second, which holds no key", second)
        _ = try await r.revision("a lease without keys revokes without a revision")
    }

    private static func describe(_ result: FencedTxnResult, _ r: ConformanceRecorder) -> String {
        switch result {
        // The plain batch's result is the outer transaction's: compare revisions only.
        case .committed(let inner): return "committed " + r.describe(inner, topLevel: true)
        case .deposed(let revision): return "deposed at \(revision)"
        }
    }
}
