import EtcronCore
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime

/// The outermost middleware: whatever goes wrong becomes the contract's error answer.
/// Errors handlers throw (`APIError`, `JobStoreError`) keep their status; what the
/// generated code refuses while reading a request (a malformed or mistyped body, an
/// unknown field, a bad parameter, another content type) is a 400 (or 415, 406) naming
/// the field; anything else is a 500 `internal`, logged, and never the answer to bad input.
struct ErrorMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch {
            let answer = Self.answer(for: error)
            if answer.status == .internalServerError {
                logger.error(
                    "API request failed", metadata: ["operation": "\(operationID)", "path": "\(request.path ?? "")", "error": "\(error)"])
            }
            return answer.openAPIResponse
        }
    }

    /// The contract's answer to `error`.
    static func answer(for error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as JobStoreError: return .from(error)
        case let error as DecodingError: return answer(for: error)
        case let error as ServerError:
            switch error.underlyingError {
            case let inner as APIError: return inner
            case let inner as JobStoreError: return .from(inner)
            case let inner as DecodingError: return answer(for: inner)
            default: break
            }
            let message = error.causeDescription
            switch error.httpStatus {
            case .badRequest where message.contains("request body"):
                return APIError(.badRequest, code: "malformedJson", "the request body is missing: \(message)")
            case .badRequest: return APIError(.badRequest, code: "invalidParameter", message)
            case .unsupportedMediaType:
                return APIError(.unsupportedMediaType, code: "unsupportedMediaType", "the request body has another content type: \(message)")
            case .notAcceptable: return APIError(.notAcceptable, code: "notAcceptable", "the answer is JSON: \(message)")
            case .notFound: return .notFound(message)
            default: return APIError(.internalServerError, code: "internal", "the server failed: \(message)")
            }
        default:
            return APIError(.internalServerError, code: "internal", "the server failed: \(error)")
        }
    }

    /// A body the generated types could not read: 400, naming the field.
    static func answer(for error: DecodingError) -> APIError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return APIError(.badRequest, code: "malformedJson", "the request body is not a JSON object: \(detail(context))")
        case .dataCorrupted(let context) where context.debugDescription.hasPrefix("Additional properties are disabled"):
            let field = path(context.codingPath)
            return APIError(
                .badRequest, code: "unknownField", "\(field): unknown field", field: field,
                problems: [.init(field: field, message: "unknown field")])
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return APIError(.badRequest, code: "wrongType", "\(field): \(detail(context))", field: field)
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return APIError(.badRequest, code: "wrongType", "\(field): must be \(describe(type))", field: field)
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .invalid([.init(field: field, message: "is required")])
        @unknown default:
            return APIError(.badRequest, code: "malformedJson", "the request body cannot be read: \(error)")
        }
    }

    /// `target.http.expectedStatus[2]`, `labels["team"]`.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        var insideMap = false
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else if insideMap {
                text += "[\"\(key.stringValue)\"]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
            insideMap = ["labels", "env", "headers"].contains(key.stringValue)
        }
        return text
    }

    private static func detail(_ context: DecodingError.Context) -> String {
        if let underlying = context.underlyingError as NSError? {
            return underlying.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
        }
        return context.debugDescription
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int32.Type, is Int64.Type, is Int.Type: "an integer"
        case is Double.Type: "a number"
        default: String(describing: type).contains("Array") ? "a list" : "an object"
        }
    }
}
