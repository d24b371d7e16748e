import HTTPTypes
import OpenAPIRuntime

/// Authenticates every operation but the contract document: a valid bearer token from
/// the token file, else 401; then the token's rate limit, else 429 with `Retry-After`.
/// The token is handed to the handler through `APICaller`.
struct AuthMiddleware: ServerMiddleware {
    /// The tokens in force; nil when no token file is configured (everything is 401).
    let tokens: APITokenStore?
    let limiter: RateLimiter

    /// Operations anyone may call.
    static let open: Set<String> = ["getOpenAPIDocument"]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if Self.open.contains(operationID) { return try await next(request, body, metadata) }
        let token: APIToken
        switch Self.authenticate(request.headerFields[.authorization], tokens: tokens) {
        case .success(let found): token = found
        case .failure(let error): return error.openAPIResponse
        }
        if let refusal = limiter.refusal(for: token) { return refusal.openAPIResponse }
        return try await APICaller.$token.withValue(token) { try await next(request, body, metadata) }
    }

    /// The entry of an `Authorization: Bearer` header's token.
    static func authenticate(_ header: String?, tokens: APITokenStore?) -> Result<APIToken, APIError> {
        guard let tokens else {
            return .failure(.unauthenticated("this replica has no API tokens configured (operator setting api-tokens-file)"))
        }
        guard let header else { return .failure(.unauthenticated("missing Authorization: Bearer <token>")) }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            return .failure(.unauthenticated("the Authorization header must be Bearer <token>"))
        }
        guard let token = tokens.book.entry(for: String(parts[1])) else {
            var error = APIError.unauthenticated("unknown or revoked token")
            error.headers[.wwwAuthenticate] = "Bearer realm=\"etcron\", error=\"invalid_token\""
            return .failure(error)
        }
        return .success(token)
    }
}
