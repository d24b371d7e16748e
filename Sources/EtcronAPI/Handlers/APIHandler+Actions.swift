import EtcronAPIModel
import EtcronCore
import Foundation

extension APIHandler {
    func triggerJob(_ input: Operations.triggerJob.Input) async throws -> Operations.triggerJob.Output {
        let (tenant, name) = (input.path.tenant, input.path.name)
        let token = try caller(writingJobsOf: tenant)
        try Self.checkName(name, parameter: "name")
        var note: String?
        if case .json(let request)? = input.body { note = Self.note(request) }
        let triggerID = try await store.trigger(tenant: tenant, name: name, note: note ?? "", requestedBy: token.name)
        let runID = RunID.manual(tenant: tenant, job: name, triggerID: triggerID)
        let requestedAt = Int64(triggerID.prefix(13)).flatMap { Instants.date(milliseconds: $0) }
        let run = Components.Schemas.Run(
            runID: runID, tenant: tenant, job: name, manual: true, note: note, triggeredBy: token.name, requestedAt: requestedAt,
            state: .requested, attempts: 0)
        return .accepted(.init(headers: .init(Location: Self.location(JobID(tenant: tenant, name: name)) + "/runs/" + runID), body: .json(run)))
    }

    func suspendJob(_ input: Operations.suspendJob.Input) async throws -> Operations.suspendJob.Output {
        var note: String?
        if case .json(let request)? = input.body { note = Self.note(request) }
        let job = try await setSuspended(input.path.tenant, input.path.name, true, note: note)
        return .ok(.init(headers: .init(ETag: "\"\(job.modRevision)\""), body: .json(Components.Schemas.Job(job))))
    }

    func resumeJob(_ input: Operations.resumeJob.Input) async throws -> Operations.resumeJob.Output {
        var note: String?
        if case .json(let request)? = input.body { note = Self.note(request) }
        let job = try await setSuspended(input.path.tenant, input.path.name, false, note: note)
        return .ok(.init(headers: .init(ETag: "\"\(job.modRevision)\""), body: .json(Components.Schemas.Job(job))))
    }

    private func setSuspended(_ tenant: String, _ name: String, _ suspended: Bool, note: String?) async throws -> StoredJob {
        let token = try caller(writingJobsOf: tenant)
        try Self.checkName(name, parameter: "name")
        try await store.setSuspended(tenant: tenant, name: name, suspended, author: Self.author(token), note: note ?? "")
        guard let job = try await store.get(tenant: tenant, name: name) else { throw APIError.notFound("job \(tenant)/\(name) not found") }
        return job
    }

    private static func note(_ request: Components.Schemas.NoteRequest?) -> String? {
        guard let note = request?.note, !note.isEmpty else { return nil }
        return note
    }
}
