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
    func page(
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

    func layout(title: String, session: WebSession?, notice: String?, body: String) -> String {
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
    func errorPage(_ error: any Error, session: WebSession?) -> Response {
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
}
