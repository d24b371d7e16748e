import Foundation
import Hummingbird
import NIOCore

/// An error of the `/v1` API as the contract describes it: `{"error": {"code", "message",
/// "field"}}` with its status. Thrown from handlers; Hummingbird writes it as the response.
public struct APIError: HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable code, e.g. `unauthorized`, `notFound` (see `openapi.yaml`, `ErrorCode`).
    public var code: String
    /// What happened, for people.
    public var message: String
    /// The field or parameter at fault, if one is.
    public var field: String?

    /// An error.
    public init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// No valid bearer token (or no token file configured).
    public static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message)
    }

    /// Nothing at this path, or nothing this token may see (the two look the same).
    public static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "notFound", message)
    }

    /// etcd cannot be reached.
    public static func unavailable(_ message: String) -> APIError {
        APIError(.serviceUnavailable, code: "unavailable", message)
    }

    private struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var field: String?
        }

        var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(Body(error: .init(code: code, message: message, field: field)))
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"etcron\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
