import AsyncHTTPClient
import EtcronCore
import EtcronProto
import Foundation
import NIOCore
import NIOHTTP1

/// One attempt's request to an http target, on the shared client: sent to the address
/// the fence vetted (plain http; https goes by name, its certificate checked against it),
/// redirects followed only to addresses the fence allows, and the response body streamed
/// into a ring buffer so that a huge body never sits in memory whole.
///
/// Cancelling the task that awaits `perform()` cancels the request (the attempt's watchdog
/// does, on a timeout or a stop).
struct HTTPExchange: Sendable {
    /// How the exchange ended.
    struct Completion: Sendable {
        /// The last response's status, if one arrived.
        var status: Int?
        /// The last bytes of its body.
        var body: OutputRingBuffer
        /// When the first request went to the client (its host's gate let it in); nil
        /// when it never did.
        var sentAt: Date?
        /// The transport error, if the request did not complete.
        var error: (any Error)?
        /// Why a redirect was not followed (the fence refused its target).
        var refusal: String?
        /// When it ended.
        var finishedAt: Date
    }

    let url: URL
    let method: String
    let headers: [(String, String)]
    let body: Data
    /// The vetted addresses of `url`'s host.
    let addresses: [[UInt8]]
    let capacity: Int
    /// Vets a redirect's target: its addresses, or why it may not be reached.
    let vet: @Sendable (URL) -> Result<[[UInt8]], HTTPFence.Refusal>
    /// The client and the gate where requests wait for one of its connections to their host.
    var http: HTTPTargetClient = .shared()
    /// Redirects followed before the attempt fails.
    static let maxRedirects = 10

    /// Sends the request (and its redirects) and reads the response to its end; calls
    /// `onSent` when the first request goes to the client, before it does.
    func perform(onSent: @Sendable (Date) async -> Void = { _ in }) async -> Completion {
        var body = OutputRingBuffer(capacity: capacity)
        var status: Int?
        var sentAt: Date?
        var hop = Hop(url: url, method: method, body: self.body, headers: headers, addresses: addresses)
        do {
            for _ in 0...Self.maxRedirects {
                let host = hop.poolKey
                guard await http.gate.enter(host) else { throw CancellationError() }
                if sentAt == nil {
                    let now = Date()
                    sentAt = now
                    await onSent(now)
                }
                let response: HTTPClientResponse
                do {
                    defer { http.gate.leave(host) }
                    response = try await http.client.execute(hop.request(), deadline: .distantFuture)
                    status = Int(response.status.code)
                    body = OutputRingBuffer(capacity: capacity)
                    for try await chunk in response.body {
                        chunk.withUnsafeReadableBytes { body.append($0) }
                    }
                }
                guard let next = hop.redirect(response) else {
                    return Completion(status: status, body: body, sentAt: sentAt, finishedAt: Date())
                }
                switch vet(next.url) {
                case .success(let vetted):
                    hop = next
                    hop.addresses = vetted
                case .failure(let refusal):
                    // Not followed: the redirect's own response ends the attempt, as refused.
                    return Completion(
                        status: status, body: body, sentAt: sentAt, refusal: "\(next.url.absoluteString): \(refusal)", finishedAt: Date())
                }
            }
            return Completion(status: status, body: body, sentAt: sentAt, error: TooManyRedirects(), finishedAt: Date())
        } catch {
            return Completion(status: status, body: body, sentAt: sentAt, error: error, finishedAt: Date())
        }
    }

    /// More than `maxRedirects` redirects in a row.
    struct TooManyRedirects: Error, CustomStringConvertible {
        var description: String { "more than \(HTTPExchange.maxRedirects) redirects" }
    }

    /// One request of the exchange: the first, or one a redirect asked for.
    struct Hop: Sendable {
        var url: URL
        var method: String
        var body: Data
        var headers: [(String, String)]
        var addresses: [[UInt8]]

        /// What the client's pool keys this hop's connections on: scheme, host and port.
        var poolKey: String {
            let scheme = url.scheme?.lowercased() ?? "http"
            return "\(scheme)://\(url.host?.lowercased() ?? ""):\(url.port ?? (scheme == "https" ? 443 : 80))"
        }

        /// The request, a plain-http one pinned to the vetted address.
        func request() -> HTTPClientRequest {
            let (target, host) = Self.pinned(url, to: addresses)
            var request = HTTPClientRequest(url: target.absoluteString)
            request.method = HTTPMethod(rawValue: method)
            for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
            if let host { request.headers.replaceOrAdd(name: "Host", value: host) }
            if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
            return request
        }

        /// The next hop if `response` is a redirect with a usable `Location`, as browsers
        /// and curl follow it: 307 and 308 keep the method and body, 303 (and 301 or 302
        /// after a POST) become a GET without a body. Credentials do not follow a redirect
        /// to another host.
        func redirect(_ response: HTTPClientResponse) -> Hop? {
            guard [301, 302, 303, 307, 308].contains(response.status.code),
                let location = response.headers.first(name: "Location"),
                let next = URL(string: location, relativeTo: url)?.absoluteURL,
                let scheme = next.scheme?.lowercased(), scheme == "http" || scheme == "https"
            else { return nil }
            var hop = Hop(url: next, method: method, body: body, headers: headers, addresses: [])
            let code = response.status.code
            if code == 303 || ((code == 301 || code == 302) && method == "POST") {
                hop.method = method == "HEAD" ? "HEAD" : "GET"
                hop.body = Data()
                hop.headers.removeAll { ["content-type", "content-length"].contains($0.0.lowercased()) }
            }
            if next.host?.lowercased() != url.host?.lowercased() || next.port != url.port {
                hop.headers.removeAll { ["authorization", "cookie", "proxy-authorization"].contains($0.0.lowercased()) }
            }
            return hop
        }

        /// A plain-http URL with its host replaced by the address that was checked, and the
        /// `Host` header to send (the URL's host), so that the name cannot resolve elsewhere
        /// by the time it connects; an https URL (its certificate is checked against the
        /// name) or a literal address as it is, with no header.
        static func pinned(_ url: URL, to addresses: [[UInt8]]) -> (URL, String?) {
            guard url.scheme?.lowercased() == "http", let host = url.host, IPNetwork.address(host) == nil,
                let address = addresses.first, var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
            else { return (url, nil) }
            let text = IPNetwork.text(IPNetwork.unmapped(address))
            components.host = text.contains(":") ? "[\(text)]" : text
            guard let pinnedURL = components.url else { return (url, nil) }
            return (pinnedURL, url.port.map { "\(host):\($0)" } ?? host)
        }
    }
}
