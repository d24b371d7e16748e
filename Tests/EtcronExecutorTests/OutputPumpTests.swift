import Foundation
import Synchronization
import Testing

@testable import EtcronExecutor

#if canImport(Glibc)
import Glibc
#endif

/// The one thread that drains every guarded run's output: to end of file, or a drain
/// window after the exit while something still holds the pipe.
@Suite("OutputPump")
struct OutputPumpTests {
    /// A pipe whose read end goes to `pump`; its write end and what the pump hands back.
    private final class Drained: Sendable {
        let write: Int32
        let token: UInt64
        private let result = Mutex<(OutputRingBuffer, ContinuousClock.Instant)?>(nil)

        init(_ pump: OutputPump, capacity: Int = 1024, drainWindow: Duration = .seconds(120)) throws {
            var ends: [Int32] = [-1, -1]
            try #require(pipe(&ends) == 0)
            write = ends[1]
            token = pump.newToken()
            pump.add(token: token, fd: ends[0], capacity: capacity, drainWindow: drainWindow) { [self] ring in
                result.withLock { $0 = (ring, .now) }
            }
        }

        func send(_ text: String) {
            _ = text.withCString { Glibc.write(write, $0, strlen($0)) }
        }

        /// The text and when it was handed back, waiting up to `limit`.
        func wait(limit: Duration = .seconds(60)) async throws -> (String, ContinuousClock.Instant)? {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                if let (ring, at) = result.withLock({ $0 }) { return (String(decoding: ring.data, as: UTF8.self), at) }
                try await Task.sleep(for: .milliseconds(5))
            }
            return nil
        }
    }

    @Test("output is kept to end of file, pipe by pipe, however many at once")
    func endOfFile() async throws {
        let pump = try #require(OutputPump())
        let pipes = try (0..<200).map { _ in try Drained(pump) }
        for (index, pipe) in pipes.enumerated() {
            pipe.send("run \(index)\n")
            close(pipe.write)
        }
        for (index, pipe) in pipes.enumerated() {
            let (text, _) = try #require(try await pipe.wait())
            #expect(text == "run \(index)\n")
        }
    }

    @Test("after the exit, a pipe still held open ends at its drain window, with what was read")
    func drainWindow() async throws {
        let pump = try #require(OutputPump())
        let held = try Drained(pump, drainWindow: .milliseconds(200))
        defer { close(held.write) }
        held.send("before exit\n")
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await held.wait(limit: .milliseconds(300)) == nil, "no end before the exit")
        let exitedAt = ContinuousClock.now
        pump.exited(held.token)
        let (text, endedAt) = try #require(try await held.wait())
        #expect(text == "before exit\n")
        #expect(endedAt - exitedAt >= .milliseconds(200))
    }

    @Test("an exit reported before the pipe is added still opens its window")
    func exitBeforeAdd() async throws {
        let pump = try #require(OutputPump())
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        defer { close(ends[1]) }
        let token = pump.newToken()
        pump.exited(token)
        let ended = Mutex(false)
        pump.add(token: token, fd: ends[0], capacity: 16, drainWindow: .milliseconds(100)) { _ in ended.withLock { $0 = true } }
        let deadline = ContinuousClock.now + .seconds(60)
        while !ended.withLock({ $0 }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(ended.withLock { $0 })
    }

    @Test("a chatty writer keeps the last bytes only, and never blocks on a full pipe")
    func chatty() async throws {
        let pump = try #require(OutputPump())
        let chatty = try Drained(pump, capacity: 10)
        let writer = Thread {
            for index in 0..<100_000 { chatty.send(String(format: "%09d\n", index)) }
            close(chatty.write)
        }
        writer.start()
        let (text, _) = try #require(try await chatty.wait())
        #expect(text == "000099999\n")
    }

    @Test("stopping the pump ends every drain with what it has, and later pipes at once")
    func stop() async throws {
        let pump = try #require(OutputPump())
        let open = try Drained(pump)
        defer { close(open.write) }
        open.send("partial\n")
        try await Task.sleep(for: .milliseconds(50))
        pump.stop()
        let (text, _) = try #require(try await open.wait())
        #expect(text == "partial\n")
        let late = try Drained(pump)
        defer { close(late.write) }
        let (lateText, _) = try #require(try await late.wait())
        #expect(lateText == "")
    }
}
