/// The primitives of the exec guard's wire format: little-endian integers and strings
/// that carry their length (see ``GuardRequest`` and ``GuardEvent``).
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func integer<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { text in
            integer(UInt32(text.count))
            bytes.append(contentsOf: text)
        }
    }

    mutating func strings(_ values: [String]) {
        integer(UInt32(values.count))
        for value in values { string(value) }
    }
}

/// Reads what a ``WireWriter`` wrote; every read names what it expected when the bytes
/// run out.
struct WireReader {
    private let bytes: ArraySlice<UInt8>
    private var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        offset = bytes.startIndex
    }

    var isAtEnd: Bool { offset == bytes.endIndex }

    mutating func integer<Value: FixedWidthInteger>(_: Value.Type, _ field: String) throws(WireError) -> Value {
        let size = MemoryLayout<Value>.size
        guard bytes.endIndex - offset >= size else { throw WireError("\(field): the message ends inside it") }
        var value = Value.zero
        for index in 0..<size { value |= Value(truncatingIfNeeded: bytes[offset + index]) << (8 * index) }
        offset += size
        return value
    }

    mutating func string(_ field: String) throws(WireError) -> String {
        let count = Int(try integer(UInt32.self, "\(field) length"))
        guard bytes.endIndex - offset >= count else { throw WireError("\(field): the message ends inside it") }
        let text = bytes[offset..<offset + count]
        guard !text.contains(0) else { throw WireError("\(field): contains a NUL byte") }
        offset += count
        return String(decoding: text, as: UTF8.self)
    }

    mutating func strings(_ field: String) throws(WireError) -> [String] {
        let count = Int(try integer(UInt32.self, "\(field) count"))
        // Each string takes at least its 4-byte length: a count beyond that is corrupt.
        guard count <= (bytes.endIndex - offset) / 4 else { throw WireError("\(field): count \(count) exceeds the message") }
        var values: [String] = []
        values.reserveCapacity(count)
        for index in 0..<count { values.append(try string("\(field)[\(index)]")) }
        return values
    }
}

/// A message the other side could not have meant: names the field and why.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
