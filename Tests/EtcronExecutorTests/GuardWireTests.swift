import ExecGuardWire
import Testing

/// The exec guard's frames: every request and event comes back as it went, and a corrupt
/// frame is refused with the field it broke, never read past its end.
@Suite("exec guard wire format")
struct GuardWireTests {
    static let requests: [GuardRequest] = [
        .start(id: 1, path: "/bin/sh", argv: ["sh", "-c", "echo é; exit 3", ""], environment: ["A=1", "PATH=/bin"], directory: "/tmp"),
        .start(id: .max, path: "/x", argv: [], environment: [], directory: "/"),
        .signal(request: 7, run: 1, signal: 15),
    ]
    static let events: [GuardEvent] = [
        .started(id: 1, pid: 4242), .failed(id: 2, errno: 8, what: "posix_spawn"), .exited(id: 1, status: 0x0300),
        .signalled(request: 7, sent: true), .signalled(request: 8, sent: false), .fatal("cannot run as 1:1"),
    ]

    /// The bodies of `bytes`, fed to a frame buffer `chunk` bytes at a time.
    private static func bodies(_ bytes: [UInt8], chunk: Int) throws -> [ArraySlice<UInt8>] {
        var buffer = FrameBuffer()
        var bodies: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            bytes[offset..<end].withUnsafeBytes { buffer.append($0) }
            offset = end
            while let body = try buffer.next() { bodies.append(body) }
        }
        #expect(buffer.isEmpty)
        return bodies
    }

    @Test("requests and events round-trip, whole or a byte at a time", arguments: [1, 3, 4096])
    func roundTrip(chunk: Int) throws {
        let requests = try Self.bodies(Self.requests.flatMap(\.frame), chunk: chunk).map { try GuardRequest(body: $0) }
        #expect(requests == Self.requests)
        let events = try Self.bodies(Self.events.flatMap(\.frame), chunk: chunk).map { try GuardEvent(body: $0) }
        #expect(events == Self.events)
    }

    @Test("a frame longer than the limit is refused before it is buffered whole")
    func oversizedFrame() {
        var buffer = FrameBuffer()
        ([0xFF, 0xFF, 0xFF, 0x7F, 1] as [UInt8]).withUnsafeBytes { buffer.append($0) }
        #expect(throws: WireError("frame length: 2147483647 bytes is over the 8388608 allowed")) { try buffer.next() }
    }

    @Test("corrupt bodies name the field")
    func corruptBodies() {
        let start = Array(GuardRequest.start(id: 1, path: "/bin/true", argv: ["true"], environment: [], directory: "/").frame.dropFirst(4))
        #expect(throws: WireError("directory length: the message ends inside it")) { try GuardRequest(body: start.dropLast(4)[...]) }
        #expect(throws: WireError("argv[0]: the message ends inside it")) { try GuardRequest(body: start.prefix(26 + 4 + 2)) }
        #expect(throws: WireError("request: bytes left after its last field")) { try GuardRequest(body: (start + [0])[...]) }
        #expect(throws: WireError("kind: 9 is not a request")) { try GuardRequest(body: [9][...]) }
        #expect(throws: WireError("kind: the message ends inside it")) { try GuardEvent(body: [][...]) }
        var hugeCount = Array(start.prefix(1 + 8 + 4 + 9))
        hugeCount += [0xFF, 0xFF, 0xFF, 0x0F]
        #expect(throws: WireError("argv: count 268435455 exceeds the message")) { try GuardRequest(body: hugeCount[...]) }
        var nul = Array(start)
        nul[1 + 8 + 4] = 0  // the path's first byte
        #expect(throws: WireError("path: contains a NUL byte")) { try GuardRequest(body: nul[...]) }
        #expect(throws: WireError("sent: 2 is not 0 or 1")) { try GuardEvent(body: [4, 0, 0, 0, 0, 0, 0, 0, 0, 2][...]) }
    }
}
