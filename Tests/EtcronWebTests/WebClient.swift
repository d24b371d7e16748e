import EtcdTestHarness
import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A browser-like client of the dashboard for the tests: real HTTP, redirects not
/// followed (the tests look at them), cookies kept by hand, forms sent url-encoded.
final class WebClient: Sendable {
    struct Answer {
        var status: Int
        var body: String
        var headers: [String: String]
        var cookies: [String]
        var location: String? { headers["location"] }
    }

    /// Refuses every redirect, so the tests see them.
    final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
            completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    let port: Int
    /// The cookies sent with every request (name → value), updated from answers.
    private let jar = Mutex<[String: String]>([:])
    private let session: URLSession

    init(port: Int) {
        self.port = port
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }

    func get(_ path: String) async throws -> Answer {
        try await send("GET", path, form: nil)
    }

    func post(_ path: String, _ form: [String: String], headers: [String: String] = [:]) async throws -> Answer {
        let body = form.map { "\($0.key)=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await send("POST", path, form: body, headers: headers)
    }

    func send(_ method: String, _ path: String, form: String?, headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 30
        let cookies = jar.withLock { $0 }
        if !cookies.isEmpty { request.setValue(cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie") }
        if let form {
            request.httpBody = Data(form.utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        // Several Set-Cookie headers arrive joined by ", " (cookie values here never hold one).
        let setCookies = fields["set-cookie"].map { $0.components(separatedBy: ", ").filter { $0.contains("=") } } ?? []
        jar.withLock { jar in
            for cookie in setCookies {
                let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                if cookie.contains("Max-Age=0") { jar[pair[0]] = nil } else if pair.count == 2 { jar[pair[0]] = pair[1] }
            }
        }
        return Answer(status: http.statusCode, body: String(decoding: data, as: UTF8.self), headers: fields, cookies: setCookies)
    }

    /// Signs in with `token` through the sign-in form, as a browser does.
    func signIn(_ token: String) async throws -> Answer {
        let form = try await get("/login")
        let nonce = try #require(Self.field("nonce", in: form.body))
        return try await post("/login", ["token": token, "nonce": nonce, "next": "/"])
    }

    /// The value of the first hidden input `name` in `html`.
    static func field(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
