import EtcdClient
import EtcronCore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The `/v1` API's routes, added to a replica's HTTP server by the executable. Every
/// route but `GET /v1/openapi.json` takes a bearer token from the token file
/// (`APITokenStore`); without a token file, they all answer 401.
public struct APIRoutes: Sendable {
    /// The tokens in force; nil when no token file is configured.
    public let tokens: APITokenStore?
    /// Where records are read and written.
    public let client: any EtcdKV
    /// etcron's keys.
    public let keys: ReplicaKeys

    /// Routes over `client`, authenticated by `tokens`.
    public init(tokens: APITokenStore?, client: any EtcdKV, keys: ReplicaKeys) {
        self.tokens = tokens
        self.client = client
        self.keys = keys
    }

    /// Registers the routes on `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/v1/openapi.json") { _, _ -> Response in
            try APIContract.response()
        }
        router.get("/v1/cluster") { request, _ -> Response in
            _ = try authenticate(request)
            let status: ClusterStatus
            do {
                status = try await ClusterStatus.read(client: client, keys: keys)
            } catch {
                throw APIError.unavailable("etcd cannot be reached: \(error)")
            }
            return try Self.json(status)
        }
        // Any other path under /v1: answered in the contract's error form once the caller
        // is known (an unauthenticated caller learns nothing about which paths exist).
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("/v1/**", method: method) { request, _ -> Response in
                _ = try authenticate(request)
                throw APIError.notFound("no such resource: \(request.method) \(request.uri.path)")
            }
        }
    }

    /// The token of `request`'s `Authorization: Bearer` header.
    /// - Throws: `APIError.unauthorized` when it is missing, malformed or unknown.
    func authenticate(_ request: Request) throws -> APIToken {
        guard let tokens else {
            throw APIError.unauthorized("this replica has no API tokens configured (operator setting api-tokens-file)")
        }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing Authorization: Bearer <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw APIError.unauthorized("the Authorization header must be Bearer <token>")
        }
        guard let token = tokens.book.entry(for: String(parts[1])) else {
            throw APIError.unauthorized("unknown or revoked token")
        }
        return token
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
