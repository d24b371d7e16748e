import Foundation

/// Just enough of the protobuf wire format to read a few scalar fields of a record
/// without the generated types: field tags, varints and length-delimited values; every
/// other field is skipped by its wire type.
struct FailoverProtobufReader {
    /// A field's number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
    struct Tag {
        var number: UInt64
        var wireType: UInt8
    }

    /// Malformed input: what was being read and at which byte.
    struct Malformed: Error, CustomStringConvertible {
        var what: String
        var offset: Int

        var description: String { "malformed protobuf: \(what) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private var offset = 0

    init(_ data: Data) {
        bytes = Array(data)
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset >= bytes.count }

    /// The next field's tag.
    mutating func tag() throws(Malformed) -> Tag {
        let key = try varint()
        guard key >> 3 != 0 else { throw Malformed(what: "field number 0", offset: offset) }
        return Tag(number: key >> 3, wireType: UInt8(key & 7))
    }

    /// A base-128 varint (at most 10 bytes).
    mutating func varint() throws(Malformed) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw Malformed(what: "truncated or overlong varint", offset: offset)
    }

    /// The bytes of a length-delimited value.
    mutating func lengthDelimited() throws(Malformed) -> ArraySlice<UInt8> {
        let length = try varint()
        guard length <= UInt64(bytes.count - offset) else {
            throw Malformed(what: "length \(length) past the end", offset: offset)
        }
        let start = offset
        offset += Int(length)
        return bytes[start..<offset]
    }

    /// Skips the value of a field with this wire type.
    mutating func skip(_ wireType: UInt8) throws(Malformed) {
        switch wireType {
        case 0: _ = try varint()
        case 1: try advance(8)
        case 2: _ = try lengthDelimited()
        case 5: try advance(4)
        default: throw Malformed(what: "unsupported wire type \(wireType)", offset: offset)
        }
    }

    private mutating func advance(_ count: Int) throws(Malformed) {
        guard count <= bytes.count - offset else { throw Malformed(what: "fixed-size value past the end", offset: offset) }
        offset += count
    }
}
