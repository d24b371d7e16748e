@testable import EtcronReplica
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("replica HTTP server")
struct HTTPServerTests {
    static let exposition = "# TYPE etcron_test_total counter\netcron_test_total 3\n"

    @Test("/healthz answers ok while the server runs")
    func healthz() async throws {
        try await withServer { port, _ in
            let reply = try await LoopbackHTTP.get(port: port, path: "/healthz")
            #expect(reply.status == 200)
            #expect(reply.body == "ok\n")
            #expect(reply.headers["content-type"]?.hasPrefix("text/plain") == true)
        }
    }

    @Test("/readyz is 503 with the reason while not ready")
    func notReady() async throws {
        try await withServer { port, state in
            state.update { $0.notReadyReason = "waiting for etcd at 127.0.0.1:2379" }
            let reply = try await LoopbackHTTP.get(port: port, path: "/readyz")
            #expect(reply.status == 503)
            #expect(reply.headers["content-type"] == "application/json")
            let object = try reply.jsonObject()
            #expect(object["ready"] as? Bool == false)
            #expect(object["notReadyReason"] as? String == "waiting for etcd at 127.0.0.1:2379")
            #expect(object["replicaID"] as? String == "replica-a")
            #expect(object["role"] as? String == "starting")
        }
    }

    @Test("/readyz is 200 with the snapshot when ready")
    func ready() async throws {
        try await withServer { port, state in
            state.update {
                $0.notReadyReason = nil
                $0.role = .leader
                $0.leaseID = 7
                $0.fencingToken = 42
                $0.leaderID = "replica-a"
            }
            let reply = try await LoopbackHTTP.get(port: port, path: "/readyz")
            #expect(reply.status == 200)
            let object = try reply.jsonObject()
            #expect(object["ready"] as? Bool == true)
            #expect(object["notReadyReason"] == nil)
            #expect(object["role"] as? String == "leader")
            #expect(object["leaseID"] as? Int == 7)
            #expect(object["fencingToken"] as? Int == 42)
            #expect(object["leaderID"] as? String == "replica-a")
            let decoded = try JSONDecoder().decode(ReplicaState.Snapshot.self, from: Data(reply.body.utf8))
            #expect(decoded == state.snapshot)
        }
    }

    @Test("/metrics serves the renderer's text as Prometheus exposition format")
    func metrics() async throws {
        try await withServer { port, _ in
            let reply = try await LoopbackHTTP.get(port: port, path: "/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(reply.body == Self.exposition)
        }
    }

    @Test("added routes are served next to the built-in ones; other paths are 404")
    func extraRoutes() async throws {
        let routes = RouteRegistration { router in
            router.get("v1/ping") { _, _ in "pong" }
        }
        try await withServer(routes: [routes]) { port, _ in
            let pong = try await LoopbackHTTP.get(port: port, path: "/v1/ping")
            #expect(pong.status == 200 && pong.body == "pong")
            #expect(try await LoopbackHTTP.get(port: port, path: "/nope").status == 404)
        }
    }

    @Test("port 0 binds a free port, which is published and logged")
    func boundPort() async throws {
        let captured = CapturedLines()
        let logger = Logger(label: "test") { label in JSONLogHandler(label: label, output: captured.append) }
        try await withServer(logger: logger) { port, _ in
            #expect(port > 0)
            #expect(captured.lines.contains { $0.contains("HTTP server listening on 127.0.0.1:\(port)") }, "\(captured.lines)")
        }
    }

    @Test("graceful shutdown lets a request in flight finish, then stops listening")
    func gracefulShutdown() async throws {
        let state = ReplicaState(replicaID: "replica-a")
        let server = ReplicaHTTPServer(
            listen: ListenAddress(host: "127.0.0.1", port: 0),
            state: state,
            metrics: {
                try? await Task.sleep(for: .milliseconds(300))
                return HTTPServerTests.exposition
            },
            logger: Self.quietLogger
        )
        let group = ServiceGroup(services: [server], logger: Self.quietLogger)
        let running = Task { try await group.run() }
        let port = try await server.binding.waitUntilBound().port

        let slow = Task { try await LoopbackHTTP.get(port: port, path: "/metrics") }
        try await Task.sleep(for: .milliseconds(100))
        await group.triggerGracefulShutdown()
        let reply = try await slow.value
        #expect(reply.status == 200 && reply.body == Self.exposition)

        try await running.value
        await #expect(throws: LoopbackHTTP.Failure.self) { try await LoopbackHTTP.get(port: port, path: "/healthz") }
        #expect(server.binding.port == port)
    }

    @Test("cancelling the run task stops the server")
    func cancellation() async throws {
        let server = ReplicaHTTPServer(
            listen: ListenAddress(host: "127.0.0.1", port: 0),
            state: ReplicaState(replicaID: "replica-a"),
            metrics: { "" },
            logger: Self.quietLogger
        )
        let running = Task { try await server.run() }
        let port = try await server.binding.waitUntilBound().port
        running.cancel()
        _ = await running.result
        await #expect(throws: LoopbackHTTP.Failure.self) { try await LoopbackHTTP.get(port: port, path: "/healthz") }
    }

    @Test("a taken port fails the run and the waiters, naming the address")
    func portTaken() async throws {
        try await withServer { port, state in
            let second = ReplicaHTTPServer(
                listen: ListenAddress(host: "127.0.0.1", port: port),
                state: state,
                metrics: { "" },
                logger: Self.quietLogger
            )
            let error = await #expect(throws: HTTPServerError.self) { try await second.run() }
            #expect(error?.reason.contains("could not listen on 127.0.0.1:\(port)") == true, "\(String(describing: error))")
            await #expect(throws: HTTPServerError.self) { try await second.binding.waitUntilBound() }
        }
    }

    @Test("a task waiting for the port can be cancelled")
    func cancelledWaiter() async throws {
        let binding = HTTPServerBinding()
        let waiter = Task { try await binding.waitUntilBound() }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }

    // MARK: Helpers

    static let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Runs a server on 127.0.0.1:0 in a `ServiceGroup` for `body`, then shuts it down
    /// gracefully and waits for it to stop.
    private func withServer(
        routes: [any ReplicaHTTPRoutes] = [],
        logger: Logger = HTTPServerTests.quietLogger,
        _ body: (Int, ReplicaState) async throws -> Void
    ) async throws {
        let state = ReplicaState(replicaID: "replica-a")
        let server = ReplicaHTTPServer(
            listen: ListenAddress(host: "127.0.0.1", port: 0),
            state: state,
            metrics: { HTTPServerTests.exposition },
            routes: routes,
            logger: logger
        )
        let group = ServiceGroup(services: [server], logger: Self.quietLogger)
        let running = Task { try await group.run() }
        do {
            let port = try await server.binding.waitUntilBound().port
            try await body(port, state)
        } catch {
            await group.triggerGracefulShutdown()
            _ = await running.result
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

/// A status, headers and body read over real loopback TCP.
struct RawHTTPReply: Sendable {
    let status: Int
    /// Header names lower-cased.
    let headers: [String: String]
    let body: String

    func jsonObject() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }
}

/// A tiny blocking HTTP/1.1 client on its own thread, so waiting on a socket never holds
/// one of the few cooperative threads the server's handlers need.
enum LoopbackHTTP {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func get(port: Int, path: String) async throws -> RawHTTPReply {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try blockingGet(port: port, path: path) }) }.start()
        }
    }

    private static func blockingGet(port: Int, path: String) throws -> RawHTTPReply {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(String(cString: strerror(errno)))") }

        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }

        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                response += buffer[0..<count]
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw Failure(description: "recv: \(String(cString: strerror(errno)))")
            }
        }
        return try parse(String(decoding: response, as: UTF8.self))
    }

    private static func parse(_ text: String) throws -> RawHTTPReply {
        guard let end = text.range(of: "\r\n\r\n") else { throw Failure(description: "incomplete response: \(text)") }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line: \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = String(text[end.upperBound...])
        if let length = headers["content-length"].flatMap(Int.init) {
            body = String(decoding: Array(body.utf8).prefix(length), as: UTF8.self)
        }
        return RawHTTPReply(status: status, headers: headers, body: body)
    }
}
