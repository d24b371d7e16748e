import Foundation
import Hummingbird
import NIOCore
import Yams

/// The API's contract, `openapi.yaml` (bundled with the module), served as JSON at
/// `GET /v1/openapi.json`; converted once, on first use.
enum APIContract {
    private static let json: Result<Data, APIError> = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8),
            let document = try? Yams.load(yaml: text),
            let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        else {
            return .failure(APIError(.internalServerError, code: "internal", "the API contract is missing from this build"))
        }
        return .success(data)
    }()

    static func response() throws -> Response {
        let data = try json.get()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
