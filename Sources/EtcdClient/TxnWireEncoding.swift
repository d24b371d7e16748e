import EtcdProto
import Foundation
import SwiftProtobuf

/// A `Txn` written straight into etcd's `TxnRequest` in protobuf's wire format, in one
/// buffer sized up front. The leader commits a transaction of ~127 operations every few
/// milliseconds at the top of the hour; building the generated messages first (one heap
/// storage per operation), then encoding them (SwiftProtobuf sizes each nested message
/// again at every level of nesting) and freeing them cost about 7% of its CPU there.
/// Reads (`get`) are rare in transactions and keep SwiftProtobuf's encoding of their
/// `RangeRequest`. `TxnWireEncodingTests` decodes what this writes with SwiftProtobuf and
/// compares it with the generated messages, field by field.
extension Txn {
    /// The encoded `TxnRequest`.
    func wireBytes() throws -> [UInt8] {
        let sizes = try WireSizes(self)
        var writer = WireWriter(capacity: sizes.total)
        try writer.write(self, sizes)
        return writer.bytes
    }
}

// etcdserverpb field numbers (etcd's rpc.proto).
private enum Field {
    // TxnRequest
    static let txnCompare = 1, txnSuccess = 2, txnFailure = 3
    // Compare
    static let compareResult = 1, compareTarget = 2, compareKey = 3, compareVersion = 4, compareCreateRevision = 5
    static let compareModRevision = 6, compareValue = 7, compareLease = 8, compareRangeEnd = 64
    // RequestOp
    static let opRange = 1, opPut = 2, opDeleteRange = 3, opTxn = 4
    // PutRequest
    static let putKey = 1, putValue = 2, putLease = 3, putPrevKv = 4
    // DeleteRangeRequest
    static let deleteKey = 1, deleteRangeEnd = 2, deletePrevKv = 3
}

/// A key range's two byte strings; a single key (nearly every compare and delete) is
/// read from its string, without a copy.
private enum WireBytes {
    case utf8(String.UTF8View)
    case data(Data)

    static func bounds(_ keys: KeyRange) -> (key: WireBytes, rangeEnd: WireBytes) {
        if case .key(let key) = keys { return (.utf8(key.utf8), .data(Data())) }
        let (key, rangeEnd) = keys.bounds
        return (.data(key), .data(rangeEnd))
    }

    var count: Int {
        switch self {
        case .utf8(let view): view.count
        case .data(let data): data.count
        }
    }
}

/// The encoded sizes of a transaction's messages, computed once, bottom up, in the order
/// the writer needs them: each message's length is written before its fields.
private struct WireSizes {
    /// The size of the `TxnRequest`'s fields.
    var total = 0
    /// Each compare's size.
    var compares: [Int] = []
    /// Each operation's `RequestOp` size (success, then failure), and a nested
    /// transaction's own sizes.
    var operations: [Int] = []
    var nested: [Int: WireSizes] = [:]
    /// The encoded `RangeRequest` of each read, by operation.
    var reads: [Int: [UInt8]] = [:]

    init(_ txn: Txn) throws {
        compares.reserveCapacity(txn.compare.count)
        for compare in txn.compare {
            let size = Self.size(compare)
            compares.append(size)
            total += WireWriter.delimitedSize(field: Field.txnCompare, length: size)
        }
        operations.reserveCapacity(txn.success.count + txn.failure.count)
        for (field, branch) in [(Field.txnSuccess, txn.success), (Field.txnFailure, txn.failure)] {
            for operation in branch {
                let size = try size(operation, index: operations.count)
                operations.append(size)
                total += WireWriter.delimitedSize(field: field, length: size)
            }
        }
    }

    /// The size of `operation`'s `RequestOp`, the operation at `index` of the success and
    /// failure branches together.
    private mutating func size(_ operation: TxnOperation, index: Int) throws -> Int {
        switch operation {
        case .get(let keys, let options):
            let read: [UInt8] = try EtcdClient.rangeRequest(keys, options).serializedBytes()
            reads[index] = read
            return WireWriter.delimitedSize(field: Field.opRange, length: read.count)
        case .put(let key, let value, let lease, let previous):
            return WireWriter.delimitedSize(field: Field.opPut, length: Self.putSize(key, value, lease, previous))
        case .delete(let keys, let previous):
            return WireWriter.delimitedSize(field: Field.opDeleteRange, length: Self.deleteSize(keys, previous))
        case .txn(let inner):
            let sizes = try WireSizes(inner)
            nested[index] = sizes
            return WireWriter.delimitedSize(field: Field.opTxn, length: sizes.total)
        }
    }

    static func size(_ compare: Compare) -> Int {
        let (key, rangeEnd) = WireBytes.bounds(compare.keys)
        var size = WireWriter.varintFieldSize(field: Field.compareResult, compare.wireResult)
            + WireWriter.varintFieldSize(field: Field.compareTarget, compare.wireTarget)
            + WireWriter.bytesFieldSize(field: Field.compareKey, key.count)
            + WireWriter.bytesFieldSize(field: Field.compareRangeEnd, rangeEnd.count)
        // The target is a oneof: written even when it is zero (create revision 0: absent).
        switch compare.target {
        case .value(let value): size += WireWriter.delimitedSize(field: Field.compareValue, length: value.count)
        case .version(let number), .createRevision(let number), .modRevision(let number), .lease(let number):
            size += WireWriter.tagSize(field: Field.compareVersion) + WireWriter.varintSize(UInt64(bitPattern: number))
        }
        return size
    }

    static func putSize(_ key: String, _ value: Data, _ lease: Int64, _ previous: Bool) -> Int {
        WireWriter.bytesFieldSize(field: Field.putKey, key.utf8.count)
            + WireWriter.bytesFieldSize(field: Field.putValue, value.count)
            + WireWriter.varintFieldSize(field: Field.putLease, UInt64(bitPattern: lease))
            + WireWriter.varintFieldSize(field: Field.putPrevKv, previous ? 1 : 0)
    }

    static func deleteSize(_ keys: KeyRange, _ previous: Bool) -> Int {
        let (key, rangeEnd) = WireBytes.bounds(keys)
        return WireWriter.bytesFieldSize(field: Field.deleteKey, key.count)
            + WireWriter.bytesFieldSize(field: Field.deleteRangeEnd, rangeEnd.count)
            + WireWriter.varintFieldSize(field: Field.deletePrevKv, previous ? 1 : 0)
    }
}

extension Compare {
    /// `Etcdserverpb_Compare.CompareResult` and `.CompareTarget`, as numbers.
    fileprivate var wireResult: UInt64 {
        switch op {
        case .equal: 0
        case .greater: 1
        case .less: 2
        case .notEqual: 3
        }
    }

    fileprivate var wireTarget: UInt64 {
        switch target {
        case .version: 0
        case .createRevision: 1
        case .modRevision: 2
        case .value: 3
        case .lease: 4
        }
    }
}

/// Appends protobuf wire-format fields to a byte buffer. Proto3 leaves out fields at their
/// default (0, false, empty), except members of a oneof.
private struct WireWriter {
    var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    static func varintSize(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }

    static func tagSize(field: Int) -> Int {
        varintSize(UInt64(field) << 3)
    }

    /// A length-delimited field that is always written (a message in a repeated field or
    /// a oneof).
    static func delimitedSize(field: Int, length: Int) -> Int {
        tagSize(field: field) + varintSize(UInt64(length)) + length
    }

    /// A bytes field, left out when empty.
    static func bytesFieldSize(field: Int, _ length: Int) -> Int {
        length == 0 ? 0 : delimitedSize(field: field, length: length)
    }

    /// A varint field, left out when zero.
    static func varintFieldSize(field: Int, _ value: UInt64) -> Int {
        value == 0 ? 0 : tagSize(field: field) + varintSize(value)
    }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func tag(_ field: Int, delimited: Bool) {
        varint(UInt64(field) << 3 | (delimited ? 2 : 0))
    }

    mutating func varintField(_ field: Int, _ value: UInt64, always: Bool = false) {
        guard value != 0 || always else { return }
        tag(field, delimited: false)
        varint(value)
    }

    mutating func bytesField(_ field: Int, _ value: some Collection<UInt8>, always: Bool = false) {
        guard !value.isEmpty || always else { return }
        tag(field, delimited: true)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func bytesField(_ field: Int, _ value: WireBytes) {
        switch value {
        case .utf8(let view): bytesField(field, view)
        case .data(let data): bytesField(field, data)
        }
    }

    mutating func header(_ field: Int, length: Int) {
        tag(field, delimited: true)
        varint(UInt64(length))
    }

    mutating func write(_ txn: Txn, _ sizes: WireSizes) throws {
        for (compare, size) in zip(txn.compare, sizes.compares) {
            header(Field.txnCompare, length: size)
            write(compare)
        }
        var index = 0
        for (field, branch) in [(Field.txnSuccess, txn.success), (Field.txnFailure, txn.failure)] {
            for operation in branch {
                header(field, length: sizes.operations[index])
                try write(operation, index: index, sizes)
                index += 1
            }
        }
    }

    /// The one request of a `RequestOp` (a oneof: always written).
    mutating func write(_ operation: TxnOperation, index: Int, _ sizes: WireSizes) throws {
        switch operation {
        case .get:
            bytesField(Field.opRange, sizes.reads[index] ?? [], always: true)
        case .put(let key, let value, let lease, let previous):
            header(Field.opPut, length: WireSizes.putSize(key, value, lease, previous))
            bytesField(Field.putKey, key.utf8)
            bytesField(Field.putValue, value)
            varintField(Field.putLease, UInt64(bitPattern: lease))
            varintField(Field.putPrevKv, previous ? 1 : 0)
        case .delete(let keys, let previous):
            let (key, rangeEnd) = WireBytes.bounds(keys)
            header(Field.opDeleteRange, length: WireSizes.deleteSize(keys, previous))
            bytesField(Field.deleteKey, key)
            bytesField(Field.deleteRangeEnd, rangeEnd)
            varintField(Field.deletePrevKv, previous ? 1 : 0)
        case .txn(let inner):
            let nested = try sizes.nested[index] ?? WireSizes(inner)
            header(Field.opTxn, length: nested.total)
            try write(inner, nested)
        }
    }

    mutating func write(_ compare: Compare) {
        let (key, rangeEnd) = WireBytes.bounds(compare.keys)
        varintField(Field.compareResult, compare.wireResult)
        varintField(Field.compareTarget, compare.wireTarget)
        bytesField(Field.compareKey, key)
        switch compare.target {
        case .version(let version): varintField(Field.compareVersion, UInt64(bitPattern: version), always: true)
        case .createRevision(let revision): varintField(Field.compareCreateRevision, UInt64(bitPattern: revision), always: true)
        case .modRevision(let revision): varintField(Field.compareModRevision, UInt64(bitPattern: revision), always: true)
        case .value(let value): bytesField(Field.compareValue, value, always: true)
        case .lease(let lease): varintField(Field.compareLease, UInt64(bitPattern: lease), always: true)
        }
        bytesField(Field.compareRangeEnd, rangeEnd)
    }
}
