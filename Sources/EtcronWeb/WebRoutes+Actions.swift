import EtcronAPI
import EtcronAPIModel
import EtcronCore
import Foundation
import HTTPTypes
import Hummingbird

/// Run now, suspend and resume: forms of a job's page, each checked (origin, form token),
/// carried out through the API's operations as the signed-in token, and answered with a
/// redirect back to the job with a fixed notice.
extension WebRoutes {
    func act(_ request: Request, tenant: String, name: String, action: String) async -> Response {
        guard let session = session(request) else { return WebResponse.redirect("/login") }
        do {
            let form = try await checkedForm(request, session: session)
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

    /// A form of a signed-in page: its form token and, for run, suspend and resume, a note.
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
}
