import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Reads a request body whole, up to the configured limit (413 over it), and keeps its
/// bytes for the handler (`RawBody`): a merge patch needs to tell `null` from absent,
/// which the generated types cannot.
struct BodyMiddleware: ServerMiddleware {
    /// The largest body accepted, in bytes.
    let limit: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let body, request.method != .get, request.method != .head, request.method != .delete else {
            return try await next(request, nil, metadata)
        }
        let tooLarge = APIError(
            .contentTooLarge, code: "payloadTooLarge", "the request body is larger than this server's limit of \(limit) bytes")
        if case .known(let length) = body.length, length > limit { return tooLarge.openAPIResponse }
        let bytes: ArraySlice<UInt8>
        do {
            bytes = try await ArraySlice(collecting: body, upTo: limit)
        } catch {
            return tooLarge.openAPIResponse
        }
        // An empty body is no body: an operation whose body is optional takes it as absent.
        let forwarded = bytes.isEmpty ? nil : HTTPBody(bytes)
        return try await RawBody.$bytes.withValue(Data(bytes)) { try await next(request, forwarded, metadata) }
    }
}

/// The bytes of the request being handled (see `BodyMiddleware`).
enum RawBody {
    @TaskLocal static var bytes: Data?
}
