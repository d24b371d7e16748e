import EtcdProto
import Foundation
import SwiftProtobuf
import Testing

@testable import EtcdClient

/// The client writes transactions in protobuf's wire format itself (`Txn.wireBytes`); these
/// decode what it writes with SwiftProtobuf and hold it against the generated messages the
/// client used to send, and against their bytes.
@Suite("Txn wire encoding")
struct TxnWireEncodingTests {
    /// Checks `txn` both ways: decoded equal to the generated request, and byte for byte
    /// what SwiftProtobuf writes (it writes fields in field-number order, as the encoder does).
    private func check(_ txn: Txn, _ comment: Comment? = nil) throws {
        let written = try txn.wireBytes()
        let expected = txn.proto
        #expect(try Etcdserverpb_TxnRequest(serializedBytes: written) == expected, comment)
        #expect(written == (try expected.serializedBytes() as [UInt8]), comment)
    }

    @Test("a fenced decision batch: nested Txn, create-if-absent and revision compares, puts, deletes")
    func fencedBatch() throws {
        let inner = Txn(
            compare: [
                .createRevision("jobs/acme/payroll/runs/s-001767268800-49da36197f6f5eb8", .equal, 0),
                .modRevision("jobs/acme/payroll/runs/s-001767268740-0123456789abcdef", .equal, 4_812),
                .version("status/acme/payroll", .greater, 0),
            ],
            success: [
                .put("jobs/acme/payroll/runs/s-001767268800-49da36197f6f5eb8", Data((0..<150).map { UInt8($0) })),
                .put("assignments/r1/b-2a-1", Data(repeating: 0xff, count: 3_000)),
                .put("empty", Data()),
                .delete(.key("jobs/acme/payroll/triggers/1")),
                .delete(.prefix("jobs/acme/old/"), previous: true),
            ])
        let fence = Txn(compare: [.modRevision("election/leader", .equal, 17)], success: [.txn(inner)], failure: [.get(.key("election/leader"))])
        try check(fence)
    }

    @Test("every compare target and operator, ranges over keys, and oneof values at zero")
    func compares() throws {
        let targets: [Compare] = [
            .value("k", .equal, Data()), .value("k", .notEqual, Data("v".utf8)),
            .version("k", .less, 0), .createRevision("k", .greater, 0), .modRevision("k", .equal, 0), .lease("k", .equal, 0),
            .lease("k", .notEqual, -1), .modRevision("k", .less, .max), .version("k", .greater, .min),
            .createRevision("a", .equal, 0).over(.prefix("a/")), .modRevision("a", .less, 9).over(.range(from: "a", to: "b")),
            .version("a", .equal, 1).over(.fromKey("m")), .value("a", .equal, Data([0])).over(.bytes(from: Data([1, 2]), to: Data([0xff]))),
            .createRevision("", .equal, 0),
        ]
        for compare in targets { try check(Txn(compare: [compare]), "\(compare)") }
        try check(Txn(compare: targets))
    }

    @Test("reads, leases and previous values, long keys and values, deep nesting, empty branches")
    func operations() throws {
        var options = RangeOptions()
        options.revision = 99
        options.limit = 10
        options.keysOnly = true
        options.sortOrder = .descending
        options.minModRevision = 3
        try check(Txn())
        try check(Txn(success: [.get(.prefix("jobs/"), options), .get(.key("x"))], failure: [.get(.fromKey("a"))]))
        try check(Txn(success: [.put("k", Data("v".utf8), lease: 7_587_869_284_922_613_000, previous: true), .put("k", Data(), lease: -3)]))
        try check(Txn(success: [.put(String(repeating: "ü", count: 300), Data(count: 70_000))]))
        var nested = Txn(success: [.put("leaf", Data("x".utf8))], failure: [.delete(.key("leaf"), previous: true)])
        for depth in 0..<4 {
            nested = Txn(compare: [.version("d\(depth)", .equal, Int64(depth))], success: [.txn(nested), .txn(Txn())], failure: [.txn(nested)])
        }
        try check(nested)
    }

    @Test("random transactions decode to what was asked")
    func random() throws {
        var generator = SplitMix(seed: 0x5eed)
        func key() -> String { String(repeating: "k", count: Int(generator.next() % 200)) + "/\(generator.next() % 1_000)" }
        func number() -> Int64 { generator.next() % 3 == 0 ? 0 : Int64(bitPattern: generator.next()) >> (generator.next() % 64) }
        func operation(_ depth: Int) -> TxnOperation {
            switch generator.next() % (depth > 2 ? 3 : 4) {
            case 0: return .put(key(), Data(count: Int(generator.next() % 600)), lease: number(), previous: generator.next() % 2 == 0)
            case 1: return .delete(generator.next() % 2 == 0 ? .key(key()) : .prefix(key()), previous: generator.next() % 2 == 0)
            case 2: return .get(.key(key()))
            default: return .txn(txn(depth + 1))
            }
        }
        func txn(_ depth: Int) -> Txn {
            let compares: [Compare] = (0..<Int(generator.next() % 5)).map { _ in
                [Compare.version(key(), .equal, number()), .createRevision(key(), .less, number()), .modRevision(key(), .notEqual, number()),
                 .lease(key(), .greater, number()), .value(key(), .equal, Data(count: Int(generator.next() % 40)))][Int(generator.next() % 5)]
            }
            return Txn(
                compare: compares, success: (0..<Int(generator.next() % 8)).map { _ in operation(depth) },
                failure: (0..<Int(generator.next() % 3)).map { _ in operation(depth) })
        }
        for round in 0..<300 { try check(txn(0), "round \(round)") }
    }
}

/// A small seeded generator (SplitMix64), so a failing round can be replayed.
private struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var value = state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}
