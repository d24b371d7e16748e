import EtcronCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime

/// An error of the `/v1` API as the contract describes it: `{"error": {"code", "message",
/// "field", "problems"}}` with its status. Handlers and middlewares throw it;
/// `ErrorMiddleware` (and Hummingbird, for paths the contract does not list) writes it.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    /// One field at fault.
    public struct Problem: Sendable, Hashable, Codable {
        public var field: String
        public var message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable code from the contract's `ErrorCode`, e.g. `unauthenticated`, `notFound`.
    public var code: String
    /// What happened, for people.
    public var message: String
    /// The field or parameter at fault, if one is.
    public var field: String?
    /// Every field at fault, for `invalid` and `unknownField`.
    public var problems: [Problem]
    /// Extra response headers (`Retry-After`, `Allow`).
    public var headers: HTTPFields

    /// An error.
    public init(
        _ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil, problems: [Problem] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.problems = problems
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// No valid bearer token (or no token file configured).
    public static func unauthenticated(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthenticated", message, headers: [.wwwAuthenticate: "Bearer realm=\"etcron\""])
    }

    /// Nothing at this path, or nothing this token may see (the two look the same).
    public static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "notFound", message)
    }

    /// The token's role may not do this.
    public static func forbidden(_ message: String) -> APIError {
        APIError(.forbidden, code: "forbidden", message)
    }

    /// A path, query or header parameter breaks its limits.
    public static func invalidParameter(_ field: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalidParameter", "\(field): \(message)", field: field)
    }

    /// A body that breaks the rules, with every problem.
    public static func invalid(_ problems: [Problem]) -> APIError {
        let message = problems.map { $0.field.isEmpty ? $0.message : "\($0.field): \($0.message)" }.joined(separator: "\n")
        return APIError(.unprocessableContent, code: "invalid", message, field: problems.first?.field, problems: problems)
    }

    /// etcd cannot be reached.
    public static func unavailable(_ message: String) -> APIError {
        APIError(.serviceUnavailable, code: "unavailable", message)
    }

    /// The answer to a failed job store operation.
    public static func from(_ error: JobStoreError) -> APIError {
        switch error.code {
        case .invalid:
            return .invalid(error.problems.map { Problem(field: $0.field, message: $0.reason) })
        case .invalidArgument:
            let field = error.message.split(separator: ":", maxSplits: 1).first.map(String.init)
            return APIError(.unprocessableContent, code: "invalid", error.message, field: field, problems: field.map { [Problem(field: $0, message: error.message)] } ?? [])
        case .notFound: return .notFound(error.message)
        case .alreadyExists: return APIError(.conflict, code: "alreadyExists", error.message)
        case .staleRevision: return APIError(.conflict, code: "staleResourceVersion", error.message, field: "resourceVersion")
        case .quotaExceeded: return APIError(.conflict, code: "quotaExceeded", error.message)
        case .conflict: return APIError(.conflict, code: "conflict", error.message)
        case .corruptRecord: return APIError(.internalServerError, code: "corruptRecord", error.message)
        default: return .unavailable(error.message)
        }
    }

    private struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var field: String?
            var problems: [Problem]?
        }

        var error: Detail
    }

    /// The JSON body.
    var body: Data {
        let detail = Body.Detail(code: code, message: message, field: field, problems: problems.isEmpty ? nil : problems)
        return (try? JSONEncoder().encode(Body(error: detail))) ?? Data(#"{"error":{"code":"internal","message":"error"}}"#.utf8)
    }

    /// The error as an OpenAPI response.
    var openAPIResponse: (HTTPResponse, HTTPBody) {
        var fields = headers
        fields[.contentType] = "application/json"
        return (HTTPResponse(status: status, headerFields: fields), HTTPBody(body))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
