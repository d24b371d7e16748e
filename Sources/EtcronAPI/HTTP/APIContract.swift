import EtcronAPIModel
import Foundation
import HTTPTypes
import OpenAPIRuntime
import Yams

/// The API's contract, `openapi.yaml` (bundled with the module), served as JSON at
/// `GET /v1/openapi.json`; converted once, on first use.
enum APIContract {
    private static let parsed: Result<Components.Schemas.OpenAPIDocument, APIError> = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8),
            let document = try? Yams.load(yaml: text),
            let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]),
            let decoded = try? JSONDecoder().decode(Components.Schemas.OpenAPIDocument.self, from: data)
        else {
            return .failure(APIError(.internalServerError, code: "internal", "the API contract is missing from this build"))
        }
        return .success(decoded)
    }()

    /// The document.
    static func document() throws -> Components.Schemas.OpenAPIDocument {
        try parsed.get()
    }
}
