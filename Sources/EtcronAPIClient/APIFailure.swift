import EtcronAPIModel
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// An error answer of the API (any status outside 2xx), as the contract describes it:
/// `{"error": {"code", "message", "field", "problems"}}`; or a failure to reach it.
public struct APIFailure: Error, Sendable, CustomStringConvertible {
    /// The HTTP status (0 when the server was not reached).
    public var status: Int
    /// The contract's error code (`notFound`, `invalid`, ...; `unreachable` when the
    /// server was not reached).
    public var code: String
    /// What happened.
    public var message: String
    /// The field at fault, if any.
    public var field: String?
    /// Every field at fault (`invalid`, `unknownField`).
    public var problems: [(field: String, message: String)]
    /// `Retry-After` of a 429, in seconds.
    public var retryAfter: Int?

    public var description: String { message }

    /// The failure of a call that threw `error` (the generated client wraps what its
    /// middlewares and transport throw).
    public static func from(_ error: any Error) -> APIFailure {
        if let failure = error as? APIFailure { return failure }
        if let client = error as? ClientError {
            if let failure = client.underlyingError as? APIFailure { return failure }
            return APIFailure(
                status: 0, code: "unreachable", message: "cannot reach \(client.baseURL?.absoluteString ?? "the server"): \(client.underlyingError)",
                field: nil, problems: [], retryAfter: nil)
        }
        return APIFailure(status: 0, code: "unreachable", message: "\(error)", field: nil, problems: [], retryAfter: nil)
    }
}

/// Turns every answer outside 2xx into a thrown `APIFailure` with the server's message,
/// so callers handle the success cases only.
struct ErrorAnswers: ClientMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        guard response.status.kind != .successful else { return (response, responseBody) }
        var data = Data()
        if let responseBody { data = try await Data(collecting: responseBody, upTo: 1 << 20) }
        let retryAfter = response.headerFields[.retryAfter].flatMap { Int($0) }
        guard let decoded = try? JSONDecoder().decode(Components.Schemas._Error.self, from: data) else {
            throw APIFailure(
                status: response.status.code, code: "http\(response.status.code)",
                message: "the server answered \(response.status.code) \(response.status.reasonPhrase): \(String(decoding: data.prefix(500), as: UTF8.self))",
                field: nil, problems: [], retryAfter: retryAfter)
        }
        let error = decoded.error
        throw APIFailure(
            status: response.status.code, code: error.code.rawValue, message: error.message, field: error.field,
            problems: (error.problems ?? []).map { ($0.field, $0.message) }, retryAfter: retryAfter)
    }
}
