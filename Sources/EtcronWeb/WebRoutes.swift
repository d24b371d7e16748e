import EtcronAPI
import EtcronAPIModel
import EtcronCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The web dashboard at `/`, served by every replica next to the API: the jobs list, a
/// job's page (with run now, suspend and resume), the cluster, and sign-in with an API
/// token. Pages are rendered on the server from templates; every read and action goes
/// through the API's operations as the signed-in token, so the dashboard has exactly the
/// API's roles, tenant scoping, authors and rate limit.
public struct WebRoutes: Sendable {
    let operations: APIOperations
    let templates: WebTemplates
    let replicaID: String
    let secureCookies: Bool
    let logger: Logger

    /// The largest form body, in bytes.
    static let maxFormBytes = 16 * 1024

    /// The dashboard over `operations`, as served by `replicaID`; `secureCookies` marks
    /// its cookies `Secure` (the listener serves HTTPS; also set per request when a proxy
    /// says `X-Forwarded-Proto: https`).
    /// - Throws: when a template does not parse (a bug the tests catch).
    public init(operations: APIOperations, replicaID: String, secureCookies: Bool, logger: Logger = Logger(label: "etcron.web")) throws {
        self.operations = operations
        self.templates = try WebTemplates()
        self.replicaID = replicaID
        self.secureCookies = secureCookies
        self.logger = logger
    }

    /// Registers the pages on `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/assets/etcron.css") { _, _ in WebResponse.stylesheet() }
        router.get("/") { request, _ in
            await page(request, title: "Jobs") { session in
                let query = try Self.query(JobsPage.Query.self, request)
                return templates.render(try await JobsPage.model(operations, token: session.token, query: query, now: Date()), "jobs")
            }
        }
        router.get("/jobs/:tenant/:name") { request, context in
            let (tenant, name) = (context.parameters.get("tenant") ?? "", context.parameters.get("name") ?? "")
            return await page(request, title: "\(tenant)/\(name)", notice: Self.actionNotice(request)) { session in
                let description = try await operations.describe(as: session.token, tenant: tenant, name: name, history: JobPage.history)
                let model = JobPage.model(
                    description, canWrite: session.token.writesJobs(of: tenant), formToken: session.formToken, now: Date())
                return templates.render(model, "job")
            }
        }
        router.post("/jobs/:tenant/:name/:action") { request, context in
            await act(request, tenant: context.parameters.get("tenant") ?? "", name: context.parameters.get("name") ?? "",
                action: context.parameters.get("action") ?? "")
        }
        router.get("/cluster") { request, _ in
            await page(request, title: "Cluster") { session in
                templates.render(try await ClusterPage.model(operations, token: session.token, now: Date()), "cluster")
            }
        }
        router.get("/login") { request, _ in signInForm(request, problem: nil, status: .ok) }
        router.post("/login") { request, _ in await signIn(request) }
        router.post("/logout") { request, _ in await signOut(request) }
    }

    // MARK: - Pages

    /// A page for a signed-in visitor (else a redirect to sign-in), with errors as pages.
    private func page(
        _ request: Request, title: String, notice: String? = nil, body: (WebSession) async throws -> String
    ) async -> Response {
        guard let session = session(request) else {
            return WebResponse.redirect(WebPaths.query("/login", [("next", request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""))]))
        }
        do {
            try operations.admit(session.token)
            let html = try await body(session)
            return WebResponse.html(layout(title: title, session: session, notice: notice, body: html))
        } catch {
            return errorPage(error, session: session)
        }
    }

    private func layout(title: String, session: WebSession?, notice: String?, body: String) -> String {
        templates.render(
            Layout(
                title: title, session: session?.view, notice: notice, body: body, replica: replicaID,
                now: WebFormat.time(Date()) ?? ""),
            "layout")
    }

    struct Layout {
        var title: String
        var session: WebSession.View?
        var notice: String?
        var body: String
        var replica: String
        var now: String
    }

    struct ErrorModel {
        var heading: String
        var message: String
        var field: String?
    }

    /// A failure as a page with the API's status and message; 500 only for a bug.
    private func errorPage(_ error: any Error, session: WebSession?) -> Response {
        let problem: APIError
        switch error {
        case let error as APIError: problem = error
        case let error as JobStoreError: problem = APIError.from(error)
        default:
            logger.error("dashboard page failed", metadata: ["error": "\(error)"])
            problem = APIError(.internalServerError, code: "internal", "the page could not be built: \(error)")
        }
        let heading = problem.status == .notFound ? "Not found" : problem.status == .forbidden ? "Not allowed" : "Cannot show this"
        let body = templates.render(ErrorModel(heading: heading, message: problem.message, field: problem.field), "error")
        return WebResponse.html(layout(title: heading, session: session, notice: nil, body: body), status: problem.status)
    }

    // MARK: - Actions

    private func act(_ request: Request, tenant: String, name: String, action: String) async -> Response {
        guard let session = session(request) else { return WebResponse.redirect("/login") }
        do {
            let form = try await checkedForm(ActionForm.self, request, session: session)
            try operations.admit(session.token)
            let note = Components.Schemas.NoteRequest(note: form.note.flatMap { $0.isEmpty ? nil : $0 })
            let path = WebPaths.job(JobID(tenant: tenant, name: name))
            switch action {
            case "run":
                let output = try await operations.perform(as: session.token) {
                    try await $0.triggerJob(.init(path: .init(tenant: tenant, name: name), body: .json(note)))
                }
                guard case .accepted(let accepted) = output, case .json(let run) = accepted.body else {
                    throw APIError.unavailable("the run was not accepted")
                }
                return WebResponse.redirect(WebPaths.query(path, [("done", "triggered"), ("run", run.runID)]))
            case "suspend":
                _ = try await operations.perform(as: session.token) {
                    try await $0.suspendJob(.init(path: .init(tenant: tenant, name: name), body: .json(note)))
                }
                return WebResponse.redirect(WebPaths.query(path, [("done", "suspended")]))
            case "resume":
                _ = try await operations.perform(as: session.token) {
                    try await $0.resumeJob(.init(path: .init(tenant: tenant, name: name), body: .json(note)))
                }
                return WebResponse.redirect(WebPaths.query(path, [("done", "resumed")]))
            default:
                throw APIError.notFound("no such action: \(action) (run, suspend or resume)")
            }
        } catch {
            return errorPage(error, session: session)
        }
    }

    struct ActionForm: Decodable {
        var csrf: String?
        var note: String?
    }

    /// The notice after an action redirected back to the job (fixed sentences: nothing
    /// from the query is shown but a run ID that is a name).
    static func actionNotice(_ request: Request) -> String? {
        let query = request.uri.queryParameters
        switch query.get("done") {
        case "triggered":
            let run = query.get("run").flatMap { JobName.refusal(of: $0) == nil ? $0 : nil }
            return "Run requested" + (run.map { ": \($0). The leader starts it within a moment; reload to follow it." } ?? ".")
        case "suspended": return "Suspended: no scheduled run starts until the job is resumed."
        case "resumed": return "Resumed: the schedule applies again."
        default: return nil
        }
    }

    // MARK: - Sign-in

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

    private func signInForm(_ request: Request, problem: String?, status: HTTPResponse.Status) -> Response {
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

    private func signIn(_ request: Request) async -> Response {
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

    private func signOut(_ request: Request) async -> Response {
        if let session = session(request) {
            do {
                _ = try await checkedForm(ActionForm.self, request, session: session)
            } catch {
                return errorPage(error, session: session)
            }
        }
        return WebResponse.redirect("/login", cookies: [
            WebCookies.set(WebCookies.token, "", path: "/", sameSite: "Lax", maxAge: 0, secure: secure(request))
        ])
    }

    // MARK: - Requests

    /// The session of the request's cookie, if its token is in force now (a revoked token
    /// signs its visitors out at their next page).
    private func session(_ request: Request) -> WebSession? {
        guard let presented = WebCookies.parse(request.headers[.cookie])[WebCookies.token], !presented.isEmpty,
            let token = operations.token(presented)
        else { return nil }
        return WebSession(token: token, presented: presented)
    }

    private func secure(_ request: Request) -> Bool {
        secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    private func crossSite(_ request: Request) -> String? {
        FormProtection.crossSiteRefusal(
            origin: request.headers[HTTPField.Name("Origin")!], fetchSite: request.headers[HTTPField.Name("Sec-Fetch-Site")!],
            host: request.head.authority)
    }

    /// A signed-in form, refused (403) when it comes from another site or lacks the
    /// session's form token.
    private func checkedForm<Form: Decodable & Sendable>(_ type: Form.Type, _ request: Request, session: WebSession) async throws -> Form
    where Form: FormWithToken {
        if let refusal = crossSite(request) { throw APIError.forbidden(refusal) }
        let form = try await Self.form(type, request)
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

    private static func decode<Value: Decodable>(_ type: Value.Type, _ text: String, what: String) throws -> Value {
        do {
            return try URLEncodedFormDecoder().decode(type, from: text)
        } catch {
            throw APIError.invalid([.init(field: what, message: "could not be read: \(error)")])
        }
    }
}

/// A form that carries the session's form token.
protocol FormWithToken {
    var csrf: String? { get }
}

extension WebRoutes.ActionForm: FormWithToken {}
