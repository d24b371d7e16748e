import EtcdClient
import EtcdTestHarness
import Foundation
import Testing

extension ClientSuites {
    /// Differential tests: each script runs against a real etcd and against an
    /// ``InMemoryEtcd``, and every observation (results, revisions, versions, errors,
    /// events) must be the same. Lease IDs are compared by the order they were granted in,
    /// and top-level headers by revision only (the IDs and term differ by nature).
    @Suite("InMemoryEtcd conformance with a real etcd")
    struct InMemoryEtcdConformanceTests {
        @Test("puts, deletes, versions, past revisions and every range option match")
        func ranges() async throws {
            try await expectSameObservations(ConformanceScripts.ranges)
        }

        @Test("every compare target and operator, on keys, missing keys and ranges, matches")
        func compares() async throws {
            try await expectSameObservations(ConformanceScripts.compares)
        }

        @Test("txn operations, previous values, nested txns, headers and fences match")
        func transactions() async throws {
            try await expectSameObservations(ConformanceScripts.transactions)
        }

        @Test("too many operations, duplicate keys, missing leases and bad revisions are refused alike")
        func refusals() async throws {
            try await expectSameObservations(ConformanceScripts.refusals)
        }

        @Test("watches replay history and deliver live events alike, with every filter")
        func watches() async throws {
            try await expectSameObservations(ConformanceScripts.watches)
        }

        @Test("leases attach, move and revoke their keys in one revision alike")
        func leases() async throws {
            try await expectSameObservations(ConformanceScripts.leases)
        }
    }
}

/// What a conformance script drives: the key-value API, plus the lease and compaction calls
/// that are not part of ``EtcdKV``.
struct ConformanceBackend: Sendable {
    var kv: any EtcdKV
    var grantLease: @Sendable () async throws -> Int64
    var revokeLease: @Sendable (Int64) async throws -> Void
    var compact: @Sendable (Int64) async throws -> Void
}

/// Runs `script` against a real single-member etcd and against a fresh InMemoryEtcd, and
/// expects the same observations, step by step.
func expectSameObservations(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ script: @escaping (inout ConformanceRecorder) async throws -> Void
) async throws {
    var real = ConformanceRecorder(ConformanceBackend(kv: InMemoryEtcd(), grantLease: { 0 }, revokeLease: { _ in }, compact: { _ in }))
    try await withClient { _, client in
        real = ConformanceRecorder(ConformanceBackend(
            kv: client,
            grantLease: { try await client.leaseGrant(ttl: 60).id },
            revokeLease: { try await client.leaseRevoke($0) },
            compact: { try await client.compact(revision: $0) }))
        try await script(&real)
    }
    let etcd = InMemoryEtcd()
    var fake = ConformanceRecorder(ConformanceBackend(
        kv: etcd,
        grantLease: { etcd.grantLease(ttl: 60) },
        revokeLease: { try etcd.revokeLease($0) },
        compact: { try etcd.compact(revision: $0) }))
    try await script(&fake)
    #expect(!real.observations.isEmpty, sourceLocation: sourceLocation)
    #expect(fake.observations.count == real.observations.count, sourceLocation: sourceLocation)
    for (expected, actual) in zip(real.observations, fake.observations) where expected != actual {
        Issue.record("\(expected.step):\n  etcd:     \(expected.outcome)\n  InMemory: \(actual.outcome)", sourceLocation: sourceLocation)
    }
}

/// One observation of a script: a labelled, normalized outcome.
struct ConformanceObservation: Equatable {
    var step: String
    var outcome: String
}

/// Records what a script observes, normalized so that real and in-memory runs compare:
/// lease IDs become their grant order, top-level headers keep only their revision.
struct ConformanceRecorder {
    let backend: ConformanceBackend
    private(set) var observations: [ConformanceObservation] = []
    private var leaseIDs: [Int64] = []

    init(_ backend: ConformanceBackend) {
        self.backend = backend
    }

    var kv: any EtcdKV { backend.kv }

    mutating func note(_ step: String, _ outcome: String) {
        observations.append(ConformanceObservation(step: step, outcome: outcome))
    }

    /// Runs a range and records its result or error.
    @discardableResult
    mutating func range(_ step: String, _ keys: KeyRange, _ options: RangeOptions = RangeOptions()) async -> RangeResult? {
        do {
            let result = try await kv.range(keys, options: options, timeout: nil)
            note(step, describe(result))
            return result
        } catch {
            note(step, describe(error))
            return nil
        }
    }

    /// Runs a transaction and records its result or error.
    @discardableResult
    mutating func txn(_ step: String, _ txn: Txn) async -> TxnResult? {
        do {
            let result = try await kv.txn(txn, timeout: nil)
            note(step, describe(result, topLevel: true))
            return result
        } catch {
            note(step, describe(error))
            return nil
        }
    }

    /// Puts and records the result; returns the revision.
    @discardableResult
    mutating func put(_ key: String, _ value: String, lease: Int64 = 0) async -> Int64 {
        await txn("put \(key)=\(value)", Txn(success: [.put(key, Data(value), lease: lease)]))?.header.revision ?? -1
    }

    mutating func grantLease() async throws -> Int64 {
        let id = try await backend.grantLease()
        leaseIDs.append(id)
        return id
    }

    mutating func revokeLease(_ step: String, _ id: Int64) async {
        do {
            try await backend.revokeLease(id)
            note(step, "revoked")
        } catch {
            note(step, describe(error))
        }
    }

    mutating func compact(_ step: String, _ revision: Int64) async {
        do {
            try await backend.compact(revision)
            note(step, "compacted")
        } catch {
            note(step, describe(error))
        }
    }

    /// The current revision, read through a range of a key no script writes.
    mutating func revision(_ step: String) async throws -> Int64 {
        let revision = try await kv.range(.key("/never-written"), options: RangeOptions(), timeout: nil).header.revision
        note(step, "revision \(revision)")
        return revision
    }

    /// Watches `keys` from `options` until an event of `endKey` arrives (or 10 s pass) and
    /// records the events, flattened (etcd groups a replay into batches of its choosing).
    mutating func watch(_ step: String, _ keys: KeyRange, _ options: WatchOptions, until endKey: String) async {
        let watch = kv.watch(keys, options: options)
        do {
            let events = try await within(.seconds(10), step) {
                var events: [WatchEvent] = []
                for try await response in watch {
                    events += response.events
                    if response.events.contains(where: { $0.kv.keyString == endKey }) { break }
                }
                return events
            }
            // Up to the end key's first event: etcd may have sent more in the same response.
            let end = events.firstIndex { $0.kv.keyString == endKey }.map { $0 + 1 } ?? events.count
            note(step, events.prefix(end).map(describe).joined(separator: "\n    "))
        } catch {
            note(step, describe(error))
        }
    }

    // MARK: Descriptions (every field that must match)

    func describe(_ error: any Error) -> String {
        guard let error = error as? EtcdError else { return "error \(error)" }
        return "error \(error.code): \(error.message) compactRevision=\(error.compactRevision.map(String.init) ?? "nil")"
    }

    func describe(_ header: ResponseHeader, topLevel: Bool) -> String {
        topLevel
            ? "rev=\(header.revision)"
            : "rev=\(header.revision) ids=\(header.clusterID),\(header.memberID),\(header.raftTerm)"
    }

    func describe(_ kv: KeyValue) -> String {
        let lease = leaseIDs.firstIndex(of: kv.lease).map { "L\($0 + 1)" } ?? "\(kv.lease)"
        return "\(kv.keyString)=\(kv.valueString)[c\(kv.createRevision) m\(kv.modRevision) v\(kv.version) lease \(lease)]"
    }

    func describe(_ result: RangeResult, topLevel: Bool = true) -> String {
        "range \(describe(result.header, topLevel: topLevel)) count=\(result.count) more=\(result.more) "
            + "[\(result.kvs.map(describe).joined(separator: ", "))]"
    }

    func describe(_ result: TxnResult, topLevel: Bool) -> String {
        let responses = result.responses.map { response -> String in
            switch response {
            case .range(let range): return describe(range, topLevel: false)
            case .put(let put): return "put \(describe(put.header, topLevel: false)) prev=\(put.previous.map(describe) ?? "nil")"
            case .delete(let delete):
                return "delete \(describe(delete.header, topLevel: false)) deleted=\(delete.deleted) prev=[\(delete.previous.map(describe).joined(separator: ", "))]"
            case .txn(let nested): return "(\(describe(nested, topLevel: false)))"
            case .unknown: return "unknown"
            }
        }
        return "txn \(describe(result.header, topLevel: topLevel)) succeeded=\(result.succeeded) [\(responses.joined(separator: "; "))]"
    }

    func describe(_ event: WatchEvent) -> String {
        "\(event.kind) \(describe(event.kv)) prev=\(event.previous.map(describe) ?? "nil")"
    }
}
