import EtcronAPI
import EtcronAPIModel
import EtcronCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Sign-in with an API token (into the session cookie) and sign-out.
extension WebRoutes {
    struct SignInModel {
        var available: Bool
        var problem: String?
        var nonce: String
        var next: String
    }

    struct SignInForm: Decodable {
        var token: String?
        var nonce: String?
        var next: String?
    }

    func signInForm(_ request: Request, problem: String?, status: HTTPResponse.Status) -> Response {
        let nonce = FormProtection.nonce()
        let available = operations.tokens != nil
        let model = SignInModel(
            available: available,
            problem: problem ?? (available ? nil : "This replica has no API tokens configured (operator setting api-tokens-file): nobody can sign in."),
            nonce: nonce, next: WebPaths.safeNext(request.uri.queryParameters.get("next")))
        let body = templates.render(model, "signIn")
        let cookie = WebCookies.set(WebCookies.signIn, nonce, path: "/login", sameSite: "Strict", maxAge: 600, secure: secure(request))
        return WebResponse.html(layout(title: "Sign in", session: nil, notice: nil, body: body), status: status, cookies: [cookie])
    }

    func signIn(_ request: Request) async -> Response {
        let form: SignInForm
        do {
            if let refusal = crossSite(request) { throw APIError.forbidden(refusal) }
            form = try await Self.form(SignInForm.self, request)
        } catch {
            return errorPage(error, session: nil)
        }
        let cookies = WebCookies.parse(request.headers[.cookie])
        guard let nonce = form.nonce, let expected = cookies[WebCookies.signIn], FormProtection.constantTimeEqual(nonce, expected) else {
            return signInForm(request, problem: "The sign-in form expired or was not sent by this dashboard; please try again.", status: .forbidden)
        }
        guard let presented = form.token?.trimmingCharacters(in: .whitespacesAndNewlines), !presented.isEmpty else {
            return signInForm(request, problem: "token: enter an API token.", status: .badRequest)
        }
        guard let token = operations.token(presented) else {
            logger.notice("dashboard sign-in refused: unknown or revoked token")
            return signInForm(request, problem: "token: unknown or revoked token.", status: .unauthorized)
        }
        logger.info("dashboard sign-in", metadata: ["token": "\(token.name)"])
        let secure = secure(request)
        return WebResponse.redirect(WebPaths.safeNext(form.next), cookies: [
            WebCookies.set(WebCookies.token, presented, path: "/", sameSite: "Lax", maxAge: WebCookies.tokenLifetime, secure: secure),
            WebCookies.set(WebCookies.signIn, "", path: "/login", sameSite: "Strict", maxAge: 0, secure: secure),
        ])
    }

    func signOut(_ request: Request) async -> Response {
        if let session = session(request) {
            do {
                _ = try await checkedForm(request, session: session)
            } catch {
                return errorPage(error, session: session)
            }
        }
        return WebResponse.redirect("/login", cookies: [
            WebCookies.set(WebCookies.token, "", path: "/", sameSite: "Lax", maxAge: 0, secure: secure(request))
        ])
    }
}
