import Foundation
import HTTPTypes
import OpenAPIRuntime

/// The generated server percent-encodes every header value it writes (`/v1/...` becomes
/// `%2Fv1%2F...`, `"42"` becomes `%2242%22`); `Location` and `ETag` are sent as the
/// contract describes them, decoded.
struct HeaderMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var (response, body) = try await next(request, body, metadata)
        for name in [HTTPField.Name.location, .eTag] {
            if let value = response.headerFields[name], let decoded = value.removingPercentEncoding {
                response.headerFields[name] = decoded
            }
        }
        return (response, body)
    }
}
