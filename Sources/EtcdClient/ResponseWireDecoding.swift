import Foundation

/// etcd's answers to transactions and reads, and its watch responses, decoded straight
/// from protobuf's wire format into the client's own types, instead of into SwiftProtobuf's
/// generated messages first (a heap storage or two per operation's result, visited by the
/// generic decoder, then copied field by field): at the top of the hour the leader decodes
/// a transaction's answer of ~127 results and a watch response of as many events every few
/// milliseconds, and every executor its claims' answers. Unknown fields are skipped, as
/// protobuf requires (a newer etcd may add some); `ResponseWireDecodingTests` checks every
/// decoder against SwiftProtobuf's on generated messages, and malformed input is refused
/// with a `WireFormatError`.
enum ResponseWire {
    /// Decodes a whole message, `bytes`, with `body` (one of the decoders below).
    static func decode<T>(_ bytes: [UInt8], _ body: (inout WireReader) throws(WireFormatError) -> T) throws -> T {
        try bytes.withUnsafeBytes { buffer in
            var reader = WireReader(buffer)
            return try body(&reader)
        }
    }

    static func header(_ reader: inout WireReader) throws(WireFormatError) -> ResponseHeader {
        var header = ResponseHeader.empty
        while let (number, type) = try reader.field() {
            switch (number, type) {
            case (1, .varint): header.clusterID = try reader.varint()
            case (2, .varint): header.memberID = try reader.varint()
            case (3, .varint): header.revision = try reader.int64()
            case (4, .varint): header.raftTerm = try reader.varint()
            default: try reader.skip(type)
            }
        }
        return header
    }

    static func keyValue(_ reader: inout WireReader) throws(WireFormatError) -> KeyValue {
        var kv = KeyValue.empty
        while let (number, type) = try reader.field() {
            switch (number, type) {
            case (1, .lengthDelimited): kv.key = try reader.bytes()
            case (2, .varint): kv.createRevision = try reader.int64()
            case (3, .varint): kv.modRevision = try reader.int64()
            case (4, .varint): kv.version = try reader.int64()
            case (5, .lengthDelimited): kv.value = try reader.bytes()
            case (6, .varint): kv.lease = try reader.int64()
            default: try reader.skip(type)
            }
        }
        return kv
    }

    static func range(_ reader: inout WireReader) throws(WireFormatError) -> RangeResult {
        var result = RangeResult(header: ResponseHeader.empty, kvs: [], more: false, count: 0)
        while let (number, type) = try reader.field() {
            switch (number, type) {
            case (1, .lengthDelimited): result.header = try nested(&reader, header)
            case (2, .lengthDelimited): result.kvs.append(try nested(&reader, keyValue))
            case (3, .varint): result.more = try reader.bool()
            case (4, .varint): result.count = try reader.int64()
            default: try reader.skip(type)
            }
        }
        return result
    }

    static func put(_ reader: inout WireReader) throws(WireFormatError) -> PutResult {
        var result = PutResult(header: ResponseHeader.empty, previous: nil)
        while let (number, type) = try reader.field() {
            switch (number, type) {
            case (1, .lengthDelimited): result.header = try nested(&reader, header)
            case (2, .lengthDelimited): result.previous = try nested(&reader, keyValue)
            default: try reader.skip(type)
            }
        }
        return result
    }

    static func delete(_ reader: inout WireReader) throws(WireFormatError) -> DeleteResult {
        var result = DeleteResult(header: ResponseHeader.empty, deleted: 0, previous: [])
        while let (number, type) = try reader.field() {
            switch (number, type) {
            case (1, .lengthDelimited): result.header = try nested(&reader, header)
            case (2, .varint): result.deleted = try reader.int64()
            case (3, .lengthDelimited): result.previous.append(try nested(&reader, keyValue))
            default: try reader.skip(type)
            }
        }
        return result
    }

    static func txn(_ reader: inout WireReader) throws(WireFormatError) -> TxnResult {
        var result = TxnResult(header: ResponseHeader.empty, succeeded: false, responses: [])
        while let (number, type) = try reader.field() {
            switch (number, type) {
            case (1, .lengthDelimited): result.header = try nested(&reader, header)
            case (2, .varint): result.succeeded = try reader.bool()
            case (3, .lengthDelimited): result.responses.append(try nested(&reader, operationResult))
            default: try reader.skip(type)
            }
        }
        return result
    }

    /// A `ResponseOp`: its oneof's last member set wins, as protobuf merges it.
    static func operationResult(_ reader: inout WireReader) throws(WireFormatError) -> TxnOperationResult {
        var result = TxnOperationResult.unknown
        while let (number, type) = try reader.field() {
            switch (number, type) {
            case (1, .lengthDelimited): result = .range(try nested(&reader, range))
            case (2, .lengthDelimited): result = .put(try nested(&reader, put))
            case (3, .lengthDelimited): result = .delete(try nested(&reader, delete))
            case (4, .lengthDelimited): result = .txn(try nested(&reader, txn))
            default: try reader.skip(type)
            }
        }
        return result
    }

    static func event(_ reader: inout WireReader) throws(WireFormatError) -> WatchEvent {
        var event = WatchEvent(kind: .put, kv: KeyValue.empty)
        while let (number, type) = try reader.field() {
            switch (number, type) {
            case (1, .varint): event.kind = try reader.varint() == 1 ? .delete : .put
            case (2, .lengthDelimited): event.kv = try nested(&reader, keyValue)
            case (3, .lengthDelimited): event.previous = try nested(&reader, keyValue)
            default: try reader.skip(type)
            }
        }
        return event
    }

    static func watch(_ reader: inout WireReader) throws(WireFormatError) -> WatchWireResponse {
        var response = WatchWireResponse()
        while let (number, type) = try reader.field() {
            switch (number, type) {
            case (1, .lengthDelimited): response.header = try nested(&reader, header)
            case (3, .varint): response.created = try reader.bool()
            case (4, .varint): response.canceled = try reader.bool()
            case (5, .varint): response.compactRevision = try reader.int64()
            case (6, .lengthDelimited): response.cancelReason = try reader.string()
            case (11, .lengthDelimited): response.events.append(try nested(&reader, event))
            default: try reader.skip(type)
            }
        }
        return response
    }

    /// Decodes the length-delimited message at the reader's position with `decode`.
    private static func nested<T>(
        _ reader: inout WireReader, _ decode: (inout WireReader) throws(WireFormatError) -> T
    ) throws(WireFormatError) -> T {
        var inner = try reader.message()
        return try decode(&inner)
    }
}

/// What a watch stream's response says, as `WatchCursor` needs it.
struct WatchWireResponse {
    var header = ResponseHeader.empty
    var created = false
    var canceled = false
    var compactRevision: Int64 = 0
    var cancelReason = ""
    var events: [WatchEvent] = []
}
