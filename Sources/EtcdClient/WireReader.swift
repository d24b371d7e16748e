import Foundation

/// Reads protobuf's wire format from a buffer: tags, varints, length-delimited fields,
/// and skips fields it does not want. Every read is bounds-checked; a malformed message
/// throws `WireFormatError` naming what was wrong and where, never traps.
struct WireReader {
    /// The wire types protobuf uses (groups, 3 and 4, are not used by etcd's messages).
    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    private let buffer: UnsafeRawBufferPointer
    private var position: Int
    private let end: Int

    /// Reads all of `buffer`.
    init(_ buffer: UnsafeRawBufferPointer) {
        self.init(buffer, from: 0, to: buffer.count)
    }

    private init(_ buffer: UnsafeRawBufferPointer, from start: Int, to end: Int) {
        self.buffer = buffer
        position = start
        self.end = end
    }

    /// The next field's number and wire type; nil at the end of the message.
    mutating func field() throws(WireFormatError) -> (number: Int, type: WireType)? {
        guard position < end else { return nil }
        let key = try varint()
        let number = key >> 3
        guard number > 0, number <= 536_870_911 else { throw WireFormatError("field number \(number) out of range", at: position) }
        guard let type = WireType(rawValue: key & 7) else { throw WireFormatError("wire type \(key & 7) not supported", at: position) }
        return (Int(number), type)
    }

    /// A varint.
    mutating func varint() throws(WireFormatError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = buffer[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            guard shift < 64 else { throw WireFormatError("varint longer than 10 bytes", at: position) }
        }
        throw WireFormatError("message ends inside a varint", at: position)
    }

    /// A varint field read as a signed 64-bit integer (int64, as etcd's revisions are).
    mutating func int64() throws(WireFormatError) -> Int64 { Int64(bitPattern: try varint()) }

    /// A varint field read as a bool.
    mutating func bool() throws(WireFormatError) -> Bool { try varint() != 0 }

    /// A length-delimited field as a reader of its own bytes.
    mutating func message() throws(WireFormatError) -> WireReader {
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw WireFormatError("length \(length) runs past the end of the message", at: position)
        }
        let start = position
        position += Int(length)
        return WireReader(buffer, from: start, to: position)
    }

    /// A length-delimited field's bytes.
    mutating func bytes() throws(WireFormatError) -> Data {
        try message().remaining
    }

    /// A length-delimited field as UTF-8 text (invalid sequences replaced).
    mutating func string() throws(WireFormatError) -> String {
        let field = try message()
        return String(decoding: UnsafeRawBufferPointer(rebasing: field.buffer[field.position..<field.end]), as: UTF8.self)
    }

    /// Skips a field of `type` whose tag was just read.
    mutating func skip(_ type: WireType) throws(WireFormatError) {
        switch type {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try message()
        case .fixed64, .fixed32:
            let size = type == .fixed64 ? 8 : 4
            guard end - position >= size else { throw WireFormatError("message ends inside a fixed-size field", at: position) }
            position += size
        }
    }

    /// The bytes not yet read.
    private var remaining: Data {
        Data(UnsafeRawBufferPointer(rebasing: buffer[position..<end]))
    }
}

/// A message that is not valid protobuf wire format (or not the message expected).
struct WireFormatError: Error, CustomStringConvertible {
    var reason: String
    var offset: Int

    init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    var description: String { "malformed protobuf message: \(reason) (near byte \(offset))" }
}
