import EtcronAPIModel
import EtcronCore
import EtcronProto
import Foundation

extension APIHandler {
    func listJobs(_ input: Operations.listJobs.Input) async throws -> Operations.listJobs.Output {
        let query = input.query
        let (page, next) = try await jobPage(
            tenant: query.tenant, labelSelector: query.labelSelector, limit: try Self.pageSize(query.limit), continue: query._continue)
        return .ok(.init(body: .json(.init(
            items: page.jobs.map { Components.Schemas.Job($0) }, _continue: next, skippedRecords: Self.skipped(page.corrupt)))))
    }

    /// One page of the jobs the caller sees (of `tenant` only, when given), matching
    /// `labelSelector`, after the page `continue` names, and the next page's token.
    func jobPage(tenant: String?, labelSelector: String?, limit: Int, continue token: String?) async throws -> (JobPage, String?) {
        let caller = try APICaller.current()
        var tenants: [String]? = caller.tenants.map { Array($0) }
        if let tenant {
            _ = try self.caller(seeing: tenant)
            tenants = [tenant]
        }
        var selector: LabelSelector?
        if let labelSelector {
            do {
                selector = try LabelSelector(labelSelector)
            } catch {
                throw APIError.invalidParameter("labelSelector", error.description)
            }
        }
        let scope = ContinueToken(scope: "listJobs|\(tenant ?? "")|\(labelSelector ?? "")|\(caller.name)")
        let after = try scope.decode(token)
        let page = try await store.page(tenants: tenants, after: after, limit: limit) { job in
            selector?.matches(job.spec.labels) ?? true
        }
        return (page, page.nextAfterKey.map(scope.encode))
    }

    func createJob(_ input: Operations.createJob.Input) async throws -> Operations.createJob.Output {
        let tenant = input.path.tenant
        let token = try caller(writingJobsOf: tenant)
        guard case .json(let body) = input.body else { throw APIError.invalid([]) }
        if body.resourceVersion != nil {
            throw APIError.invalid([.init(field: "resourceVersion", message: "a job being created has none; leave it out")])
        }
        let spec = try Self.spec(of: body, tenant: tenant, name: nil)
        try await checkTargetPolicy(spec, writtenBy: token)
        let (_, job) = try await store.put(spec, condition: .absent, author: Self.author(token))
        return .created(.init(
            headers: .init(Location: Self.location(job.id), ETag: "\"\(job.modRevision)\""),
            body: .json(Components.Schemas.Job(job))))
    }

    func getJob(_ input: Operations.getJob.Input) async throws -> Operations.getJob.Output {
        let (tenant, name) = (input.path.tenant, input.path.name)
        _ = try caller(seeing: tenant)
        try Self.checkName(name, parameter: "name")
        let description = try await describe(tenant: tenant, name: name, history: 0)
        return .ok(.init(
            headers: .init(ETag: "\"\(description.job.modRevision)\""),
            body: .json(Components.Schemas.Job(description.job, description: description))))
    }

    func replaceJob(_ input: Operations.replaceJob.Input) async throws -> Operations.replaceJob.Output {
        let (tenant, name) = (input.path.tenant, input.path.name)
        let token = try caller(writingJobsOf: tenant)
        try Self.checkName(name, parameter: "name")
        guard case .json(let body) = input.body else { throw APIError.invalid([]) }
        let condition: JobWriteCondition = try body.resourceVersion.map { .revision(try Self.revision($0, field: "resourceVersion")) } ?? .none
        let spec = try Self.spec(of: body, tenant: tenant, name: name)
        try await checkTargetPolicy(spec, writtenBy: token)
        let (result, job) = try await store.put(spec, condition: condition, author: Self.author(token))
        let answer = Components.Schemas.Job(job)
        if result.outcome == .created {
            return .created(.init(headers: .init(Location: Self.location(job.id), ETag: "\"\(job.modRevision)\""), body: .json(answer)))
        }
        return .ok(.init(headers: .init(ETag: "\"\(job.modRevision)\""), body: .json(answer)))
    }

    func deleteJob(_ input: Operations.deleteJob.Input) async throws -> Operations.deleteJob.Output {
        let (tenant, name) = (input.path.tenant, input.path.name)
        _ = try caller(writingJobsOf: tenant)
        try Self.checkName(name, parameter: "name")
        let revision = try Self.ifMatch(input.headers.If_hyphen_Match)
        guard try await store.delete(tenant: tenant, name: name, ifRevision: revision) else {
            throw APIError.notFound("job \(tenant)/\(name) not found")
        }
        return .noContent(.init())
    }

    /// The job with its status, or 404.
    /// The job with its status and, unless `history` is 0, its latest `history` decisions
    /// and runs, read at one revision; 404 when there is no such job.
    func describe(tenant: String, name: String, history: Int) async throws -> JobDescription {
        let result: Result<JobDescription, JobStoreError>
        do {
            result = .success(try await store.describe(tenant: tenant, name: name, limit: max(1, history), history: history > 0))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let description): return description
        case .failure(let error) where error.code == .notFound: throw APIError.notFound("job \(tenant)/\(name) not found")
        case .failure(let error): throw error
        }
    }

    /// The stored form of a request body for a job of `tenant` (and `name`, when the path
    /// names it): the body's tenant and name, when given, must be the path's.
    static func spec(of body: Components.Schemas.JobManifest, tenant: String, name: String?) throws -> Etcron_V1_JobSpec {
        var problems: [APIError.Problem] = []
        if let given = body.tenant, given != tenant {
            problems.append(.init(field: "tenant", message: "is \"\(given)\" but the path's tenant is \"\(tenant)\"; leave it out or make them equal"))
        }
        if let name, let given = body.name, given != name {
            problems.append(.init(field: "name", message: "is \"\(given)\" but the path's name is \"\(name)\"; leave it out or make them equal"))
        }
        var manifest = JobManifest(body)
        manifest.tenant = tenant
        manifest.name = name ?? body.name
        do {
            let spec = try manifest.validatedSpec()
            if problems.isEmpty { return spec }
        } catch {
            problems += error.problems.map { .init(field: $0.field, message: $0.reason) }
        }
        throw APIError.invalid(problems)
    }

    static func skipped(_ corrupt: [CorruptRecord]) -> [Components.Schemas.SkippedRecord]? {
        corrupt.isEmpty ? nil : corrupt.map { .init(key: $0.key, reason: $0.reason) }
    }
}
