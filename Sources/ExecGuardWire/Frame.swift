/// Frames on the exec guard's socket: a 4-byte little-endian length, then the body.
public enum Frame {
    /// The largest body either side accepts: more than any command line (Linux allows
    /// 2 MiB of arguments and environment together), far less than a corrupt length.
    public static let maximumBody = 8 * 1024 * 1024

    static func wrap(_ body: [UInt8]) -> [UInt8] {
        var writer = WireWriter()
        writer.integer(UInt32(body.count))
        var frame = writer.bytes
        frame.append(contentsOf: body)
        return frame
    }
}

/// Bytes read from a stream socket, cut into frames as they complete.
public struct FrameBuffer: Sendable {
    private var bytes: [UInt8] = []
    private var start = 0

    public init() {}

    /// Appends what was read.
    public mutating func append(_ chunk: UnsafeRawBufferPointer) {
        if start > 0, start >= bytes.count / 2 {
            bytes.removeFirst(start)
            start = 0
        }
        bytes.append(contentsOf: chunk)
    }

    /// The next complete frame's body, or nil until more bytes come.
    public mutating func next() throws(WireError) -> ArraySlice<UInt8>? {
        guard bytes.count - start >= 4 else { return nil }
        var reader = WireReader(bytes[start..<start + 4])
        let length = Int(try reader.integer(UInt32.self, "frame length"))
        guard length <= Frame.maximumBody else { throw WireError("frame length: \(length) bytes is over the \(Frame.maximumBody) allowed") }
        guard bytes.count - start - 4 >= length else { return nil }
        let body = bytes[start + 4..<start + 4 + length]
        start += 4 + length
        return body
    }

    /// Whether bytes of an unfinished frame are waiting.
    public var isEmpty: Bool { start == bytes.count }
}
