import EtcronAPIModel
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import OpenAPIRuntime
import OpenAPIURLSession

/// A connection to a replica's `/v1` API: the generated client (`Client`) with the bearer
/// token on every request and the server's date format (RFC 3339 with milliseconds).
public struct APIConnection: Sendable {
    /// The replica's base URL, e.g. `http://etcron.example:8080`.
    public let server: URL
    /// The generated client.
    public let client: Client

    /// A connection to `server` authenticated with `token`.
    /// - Throws: `APIConnectionError` for a URL that is not an absolute http(s) URL.
    public init(server: String, token: String, timeout: Duration = .seconds(30)) throws(APIConnectionError) {
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil
        else {
            throw APIConnectionError("server: \"\(server)\" must be an absolute http or https URL, e.g. http://etcron.example:8080")
        }
        self.server = url
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = Double(timeout.components.seconds)
        client = Client(
            serverURL: url,
            configuration: Configuration(dateTranscoder: APIDates()),
            transport: URLSessionTransport(configuration: .init(session: URLSession(configuration: configuration))),
            middlewares: [ErrorAnswers(), BearerToken(token: token)])
    }
}

/// A server URL or token that cannot be used.
public struct APIConnectionError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Adds `Authorization: Bearer <token>` to every request.
struct BearerToken: ClientMiddleware {
    let token: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}
