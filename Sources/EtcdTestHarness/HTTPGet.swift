import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The status code and body of a plain HTTP response.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code, e.g. 200.
    public let status: Int
    /// The body, decoded as UTF-8.
    public let body: String
}

/// A minimal HTTP/1.0 GET to 127.0.0.1 over a non-blocking socket, enough for etcd's
/// `/health` and `/metrics` on its plain-HTTP metrics listener.
///
/// The socket never blocks a thread: while it waits the task sleeps for a millisecond or
/// two, so probing a member that hangs (SIGSTOPped, leaderless) cannot starve the small
/// cooperative pool of a 2-core machine.
enum HTTPGet {
    /// GETs `path` from 127.0.0.1:`port`. Throws `http` on connection or protocol errors
    /// and `timedOut` after `timeout`.
    static func get(port: Int, path: String, timeout: Duration) async throws -> HTTPResponse {
        let deadline = ContinuousClock.now + timeout
        let target = "http://127.0.0.1:\(port)\(path)"
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        if fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        #endif
        guard fd >= 0 else { throw HarnessError(.http, "GET \(target): socket: \(errorText())") }
        defer { close(fd) }

        var address = sockaddr_in.loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            guard errno == EINPROGRESS else { throw HarnessError(.http, "GET \(target): connect: \(errorText())") }
            try await waitFor(fd, events: Int16(POLLOUT), until: deadline, target: target)
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else {
                throw HarnessError(.http, "GET \(target): connect: \(String(cString: strerror(socketError)))")
            }
        }

        var request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        while !request.isEmpty {
            let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, noSignal) }
            if sent > 0 {
                request.removeFirst(sent)
            } else if errno == EAGAIN || errno == EINTR {
                try await waitFor(fd, events: Int16(POLLOUT), until: deadline, target: target)
            } else {
                throw HarnessError(.http, "GET \(target): send: \(errorText())")
            }
        }

        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                response.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                break
            } else if errno == EAGAIN || errno == EINTR {
                try await waitFor(fd, events: Int16(POLLIN), until: deadline, target: target)
            } else {
                throw HarnessError(.http, "GET \(target): recv: \(errorText())")
            }
        }
        return try parse(response, target: target)
    }

    private static func parse(_ bytes: [UInt8], target: String) throws -> HTTPResponse {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headerEnd = text.range(of: "\r\n\r\n") else {
            throw HarnessError(.http, "GET \(target): incomplete response (\(bytes.count) bytes)")
        }
        let statusLine = text[..<headerEnd.lowerBound].prefix { $0 != "\r" }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw HarnessError(.http, "GET \(target): malformed status line \"\(statusLine)\"")
        }
        return HTTPResponse(status: status, body: String(text[headerEnd.upperBound...]))
    }

    /// Sleeps in short steps until `fd` is ready for `events`.
    private static func waitFor(_ fd: Int32, events: Int16, until deadline: ContinuousClock.Instant, target: String) async throws {
        var pause = Duration.microseconds(200)
        while true {
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            if poll(&descriptor, 1, 0) > 0 { return }
            if ContinuousClock.now >= deadline {
                throw HarnessError(.timedOut, "GET \(target): no response before the deadline")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(5))
        }
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }

    #if canImport(Glibc)
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    private static let noSignal: Int32 = 0
    #endif
}
