import EtcronAPI
import EtcronAPIModel
import EtcronCore
import Foundation
import HTTPTypes
import Hummingbird

/// What the dashboard reads from a request: its session, its form (checked against
/// forgery), its query.
extension WebRoutes {
    /// The session of the request's cookie, if its token is in force now (a revoked token
    /// signs its visitors out at their next page).
    func session(_ request: Request) -> WebSession? {
        guard let presented = WebCookies.parse(request.headers[.cookie])[WebCookies.token], !presented.isEmpty,
            let token = operations.token(presented)
        else { return nil }
        return WebSession(token: token, presented: presented)
    }

    func secure(_ request: Request) -> Bool {
        secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    func crossSite(_ request: Request) -> String? {
        FormProtection.crossSiteRefusal(
            origin: request.headers[HTTPField.Name("Origin")!], fetchSite: request.headers[HTTPField.Name("Sec-Fetch-Site")!],
            host: request.head.authority)
    }

    /// A signed-in form, refused (403) when it comes from another site or lacks the
    /// session's form token.
    func checkedForm(_ request: Request, session: WebSession) async throws -> ActionForm {
        if let refusal = crossSite(request) { throw APIError.forbidden(refusal) }
        let form = try await Self.form(ActionForm.self, request)
        guard FormProtection.check(form.csrf, apiToken: session.presented) else {
            throw APIError.forbidden("the form is not from this session (missing or wrong form token); reload the page and try again")
        }
        return form
    }

    /// The request's url-encoded form body (at most ``maxFormBytes``).
    static func form<Form: Decodable>(_ type: Form.Type, _ request: Request) async throws -> Form {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxFormBytes)
        } catch {
            throw APIError(.contentTooLarge, code: "payloadTooLarge", "the form is larger than \(maxFormBytes) bytes")
        }
        return try decode(type, String(buffer: buffer), what: "form")
    }

    /// The request's query as `type`.
    static func query<Query: Decodable>(_ type: Query.Type, _ request: Request) throws -> Query {
        try decode(type, request.uri.query ?? "", what: "query")
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ text: String, what: String) throws -> Value {
        do {
            return try URLEncodedFormDecoder().decode(type, from: text)
        } catch {
            throw APIError.invalid([.init(field: what, message: "could not be read: \(error)")])
        }
    }
}
