import EtcdProto
import Foundation
import SwiftProtobuf
import Testing

@testable import EtcdClient

/// The client reads etcd's transaction, range and watch responses from protobuf's wire
/// format itself (`ResponseWire`); these hold what it reads against what SwiftProtobuf's
/// generated messages read from the same bytes: messages built field by field, random
/// ones, unknown fields a newer etcd could add, and every truncation of them.
@Suite("Response wire decoding")
struct ResponseWireDecodingTests {
    private func kv(_ key: String, _ value: [UInt8], create: Int64, mod: Int64, version: Int64, lease: Int64 = 0) -> Mvccpb_KeyValue {
        var kv = Mvccpb_KeyValue()
        kv.key = Data(key.utf8)
        kv.value = Data(value)
        kv.createRevision = create
        kv.modRevision = mod
        kv.version = version
        kv.lease = lease
        return kv
    }

    private func header(revision: Int64) -> Etcdserverpb_ResponseHeader {
        var header = Etcdserverpb_ResponseHeader()
        header.clusterID = 0xDEAD_BEEF_0000_0001
        header.memberID = .max
        header.revision = revision
        header.raftTerm = 7
        return header
    }

    /// A fenced decision batch's answer: a nested Txn of puts, a read in the failure branch
    /// of another, a delete with previous values, a range with `more` and a count.
    private func decisionAnswer() -> Etcdserverpb_TxnResponse {
        var puts = Etcdserverpb_TxnResponse()
        puts.header = header(revision: 4_812)
        puts.succeeded = true
        for index in 0..<127 {
            var put = Etcdserverpb_PutResponse()
            put.header = header(revision: 4_812)
            if index == 3 { put.prevKv = kv("jobs/a/b/runs/\(index)", [1, 2, 3], create: 5, mod: 9, version: 2, lease: 0x7fff_0000) }
            var op = Etcdserverpb_ResponseOp()
            op.response = .responsePut(put)
            puts.responses.append(op)
        }
        var conflict = Etcdserverpb_TxnResponse()
        conflict.header = header(revision: 4_812)
        var read = Etcdserverpb_RangeResponse()
        read.header = header(revision: 4_812)
        read.kvs = [kv("jobs/a/b/runs/s-1", Array(repeating: 0xAB, count: 300), create: 100, mod: 4_000, version: 3)]
        read.count = 1
        var readOp = Etcdserverpb_ResponseOp()
        readOp.response = .responseRange(read)
        conflict.responses = [readOp]
        var delete = Etcdserverpb_DeleteRangeResponse()
        delete.header = header(revision: 4_812)
        delete.deleted = 2
        delete.prevKvs = [kv("x", [], create: 1, mod: 1, version: 1), kv("y", [0], create: 2, mod: 3, version: 2)]
        var many = Etcdserverpb_RangeResponse()
        many.kvs = (0..<20).map { kv("k\($0)", [], create: Int64($0), mod: Int64($0), version: 1) }
        many.more = true
        many.count = 20_000
        var outer = Etcdserverpb_TxnResponse()
        outer.header = header(revision: 4_812)
        outer.succeeded = true
        for response in [
            Etcdserverpb_ResponseOp.OneOf_Response.responseTxn(puts), .responseTxn(conflict), .responseDeleteRange(delete), .responseRange(many),
        ] {
            var op = Etcdserverpb_ResponseOp()
            op.response = response
            outer.responses.append(op)
        }
        outer.responses.append(Etcdserverpb_ResponseOp())  // no member set: `.unknown`
        return outer
    }

    private func watchAnswer() -> Etcdserverpb_WatchResponse {
        var response = Etcdserverpb_WatchResponse()
        response.header = header(revision: 99)
        response.watchID = 3
        response.fragment = false
        for index in 0..<50 {
            var event = Mvccpb_Event()
            event.type = index % 7 == 0 ? .delete : .put
            event.kv = kv("jobs/t/n/runs/\(index)", Array(repeating: UInt8(index), count: index * 3), create: 10, mod: Int64(50 + index), version: 1)
            if index % 5 == 0 { event.prevKv = kv("jobs/t/n/runs/\(index)", [9], create: 10, mod: 11, version: 1) }
            response.events.append(event)
        }
        return response
    }

    private func bytes(_ message: some SwiftProtobuf.Message) throws -> [UInt8] { try message.serializedBytes() }

    private func decodedWatch(_ bytes: [UInt8]) throws -> WatchWireResponse { try ResponseWire.decode(bytes, ResponseWire.watch) }

    private func expectSame(_ watch: WatchWireResponse, _ proto: Etcdserverpb_WatchResponse, _ comment: Comment? = nil) {
        #expect(watch.header == ResponseHeader(proto.header), comment)
        #expect(watch.created == proto.created, comment)
        #expect(watch.canceled == proto.canceled, comment)
        #expect(watch.compactRevision == proto.compactRevision, comment)
        #expect(watch.cancelReason == proto.cancelReason, comment)
        #expect(watch.events == proto.events.map(WatchEvent.init), comment)
    }

    @Test("a fenced batch's answer (nested Txns, puts with and without previous values, reads, deletes) reads as SwiftProtobuf reads it")
    func transaction() throws {
        let proto = decisionAnswer()
        let decoded = try ResponseWire.decode(try bytes(proto), ResponseWire.txn)
        #expect(decoded == TxnResult(proto))
        #expect(decoded.responses.count == 5)
        #expect(decoded.responses[0].txn?.responses.count == 127)
        #expect(decoded.responses[1].txn?.succeeded == false)
        #expect(decoded.responses[1].txn?.responses.first?.range?.kvs.first?.value.count == 300)
        #expect(decoded.responses[4] == .unknown)
    }

    @Test("ranges and watch responses: events, deletes, previous values, created, cancelled with a reason, compacted")
    func rangesAndWatches() throws {
        var range = Etcdserverpb_RangeResponse()
        range.header = header(revision: 5)
        range.kvs = (0..<100).map { kv("jobs/t/j\($0)/spec", Array(repeating: 1, count: $0), create: 2, mod: Int64(3 + $0), version: 4, lease: Int64($0)) }
        range.count = 100
        #expect(try ResponseWire.decode(try bytes(range), ResponseWire.range) == RangeResult(range))
        #expect(try ResponseWire.decode([], ResponseWire.range) == RangeResult(Etcdserverpb_RangeResponse()))

        let watch = watchAnswer()
        expectSame(try decodedWatch(try bytes(watch)), watch)
        var created = Etcdserverpb_WatchResponse()
        created.header = header(revision: 12)
        created.created = true
        expectSame(try decodedWatch(try bytes(created)), created)
        var cancelled = Etcdserverpb_WatchResponse()
        cancelled.canceled = true
        cancelled.compactRevision = 40
        cancelled.cancelReason = "mvcc: required revision has been compacted — ünïcode"
        expectSame(try decodedWatch(try bytes(cancelled)), cancelled)
    }

    @Test("fields a newer etcd might add, of every wire type, are skipped wherever they appear")
    func unknownFields() throws {
        // Unknown fields (protobuf allows them anywhere in a message): varint, fixed64,
        // length-delimited, fixed32, appended to each message, nested ones wrapped by hand.
        let unknown: [UInt8] = [0xF8, 0x06, 0x96, 0x01, 0xF9, 0x06] + Array(repeating: 7, count: 8) + [0xFA, 0x06, 0x03, 1, 2, 3, 0xFD, 0x06, 1, 2, 3, 4]
        func field(_ number: UInt8, _ message: [UInt8]) -> [UInt8] { [number << 3 | 2, UInt8(message.count)] + message }
        var put = Etcdserverpb_PutResponse()
        put.header = header(revision: 8)
        let op = field(2, try bytes(put) + unknown) + unknown
        let txn = [0x10, 0x01] + field(3, op) + unknown
        let decoded = try ResponseWire.decode(txn, ResponseWire.txn)
        #expect(decoded == TxnResult(try Etcdserverpb_TxnResponse(serializedBytes: txn)))
        #expect(decoded.succeeded)
        guard case .put(let result)? = decoded.responses.first else {
            Issue.record("the put's result was not read: \(decoded)")
            return
        }
        #expect(result.header.revision == 8)

        let kv = try bytes(kv("k", [1], create: 1, mod: 2, version: 1)) + unknown
        let watch = field(11, [0x08, 0x01] + field(2, kv) + unknown) + unknown
        let proto = try Etcdserverpb_WatchResponse(serializedBytes: watch)
        expectSame(try decodedWatch(watch), proto)
        #expect(try decodedWatch(watch).events.first?.kind == .delete)
    }

    @Test("random answers read as SwiftProtobuf reads them")
    func randomAnswers() throws {
        var random = SystemRandomNumberGenerator()
        for round in 0..<200 {
            let proto = Self.randomTxn(depth: 0, using: &random)
            #expect(try ResponseWire.decode(try bytes(proto), ResponseWire.txn) == TxnResult(proto), "round \(round)")
        }
    }

    @Test("every truncation of an answer is refused where SwiftProtobuf refuses it, and read alike where it is not; none traps")
    func truncations() throws {
        let txn = try bytes(decisionAnswer())
        for length in stride(from: 0, to: txn.count, by: max(1, txn.count / 700)) {
            let prefix = Array(txn[0..<length])
            let ours = try? ResponseWire.decode(prefix, ResponseWire.txn)
            let theirs = try? Etcdserverpb_TxnResponse(serializedBytes: prefix)
            #expect(ours == theirs.map(TxnResult.init), "truncated at \(length) of \(txn.count)")
        }
        let watch = try bytes(watchAnswer())
        for length in 0..<watch.count {
            let prefix = Array(watch[0..<length])
            let ours = try? decodedWatch(prefix)
            let theirs = try? Etcdserverpb_WatchResponse(serializedBytes: prefix)
            #expect((ours == nil) == (theirs == nil), "truncated at \(length) of \(watch.count)")
            if let ours, let theirs { expectSame(ours, theirs, "truncated at \(length)") }
        }
    }

    @Test("malformed input is refused with the reason: overlong varints, lengths past the end, unsupported wire types")
    func malformed() throws {
        let cases: [(String, [UInt8], String)] = [
            ("an 11-byte varint", [0x10] + Array(repeating: 0xFF, count: 10) + [0x01], "varint longer than 10 bytes"),
            ("a varint cut off", [0x10, 0xFF], "ends inside a varint"),
            ("a length past the end", [0x1A, 0x05, 0x01], "runs past the end"),
            ("a group (wire type 3)", [0x1B], "wire type 3"),
            ("field number 0", [0x00, 0x01], "field number 0"),
            ("a fixed64 cut off", [0x79, 1, 2], "fixed-size field"),
        ]
        for (what, input, reason) in cases {
            do {
                _ = try ResponseWire.decode(input, ResponseWire.txn)
                Issue.record("\(what) was accepted")
            } catch let error as WireFormatError {
                #expect(error.description.contains(reason), "\(what): \(error)")
            }
        }
    }

    private static func randomTxn(depth: Int, using random: inout SystemRandomNumberGenerator) -> Etcdserverpb_TxnResponse {
        func randomKV() -> Mvccpb_KeyValue {
            var kv = Mvccpb_KeyValue()
            kv.key = Data((0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            kv.value = Data((0..<Int.random(in: 0...400, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            kv.createRevision = Int64.random(in: -3...Int64.max, using: &random)
            kv.modRevision = Int64.random(in: 0...Int64.max, using: &random)
            kv.version = Int64.random(in: 0...5, using: &random)
            kv.lease = Bool.random(using: &random) ? 0 : Int64.random(in: Int64.min...Int64.max, using: &random)
            return kv
        }
        func randomHeader() -> Etcdserverpb_ResponseHeader {
            var header = Etcdserverpb_ResponseHeader()
            header.clusterID = UInt64.random(in: 0...UInt64.max, using: &random)
            header.revision = Int64.random(in: 0...Int64.max, using: &random)
            header.raftTerm = UInt64.random(in: 0...9, using: &random)
            return header
        }
        var txn = Etcdserverpb_TxnResponse()
        if Bool.random(using: &random) { txn.header = randomHeader() }
        txn.succeeded = Bool.random(using: &random)
        for _ in 0..<Int.random(in: 0...12, using: &random) {
            var op = Etcdserverpb_ResponseOp()
            switch Int.random(in: 0...(depth < 2 ? 4 : 3), using: &random) {
            case 0:
                var range = Etcdserverpb_RangeResponse()
                range.header = randomHeader()
                range.kvs = (0..<Int.random(in: 0...4, using: &random)).map { _ in randomKV() }
                range.more = Bool.random(using: &random)
                range.count = Int64.random(in: 0...1_000_000, using: &random)
                op.response = .responseRange(range)
            case 1:
                var put = Etcdserverpb_PutResponse()
                put.header = randomHeader()
                if Bool.random(using: &random) { put.prevKv = randomKV() }
                op.response = .responsePut(put)
            case 2:
                var delete = Etcdserverpb_DeleteRangeResponse()
                delete.deleted = Int64.random(in: 0...100, using: &random)
                delete.prevKvs = (0..<Int.random(in: 0...3, using: &random)).map { _ in randomKV() }
                op.response = .responseDeleteRange(delete)
            case 3:
                break
            default:
                op.response = .responseTxn(randomTxn(depth: depth + 1, using: &random))
            }
            txn.responses.append(op)
        }
        return txn
    }
}
