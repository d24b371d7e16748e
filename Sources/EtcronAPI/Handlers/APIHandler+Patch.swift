import EtcronAPIModel
import EtcronCore
import Foundation
import HTTPTypes

extension APIHandler {
    /// The most read-modify-write rounds of a patch without a `resourceVersion` that loses
    /// its race to other writers, before it answers 409 `conflict`.
    static let patchAttempts = 4

    func patchJob(_ input: Operations.patchJob.Input) async throws -> Operations.patchJob.Output {
        let (tenant, name) = (input.path.tenant, input.path.name)
        let token = try caller(writingJobsOf: tenant)
        try Self.checkName(name, parameter: "name")
        // The generated types have checked every field's type and refused unknown ones;
        // the raw body keeps what they cannot: `null` (reset) apart from absent (keep).
        guard let bytes = RawBody.bytes, let patch = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw APIError(.badRequest, code: "malformedJson", "the request body is not a JSON object")
        }
        var fields = patch
        let given = fields.removeValue(forKey: "resourceVersion")
        let expected = try (given as? String).map { try Self.revision($0, field: "resourceVersion") }
        for _ in 1...Self.patchAttempts {
            guard let current = try await store.get(tenant: tenant, name: name) else {
                if expected != nil {
                    throw APIError(.conflict, code: "staleResourceVersion", "job \(tenant)/\(name) no longer exists", field: "resourceVersion")
                }
                throw APIError.notFound("job \(tenant)/\(name) not found")
            }
            let stored = try JSONSerialization.jsonObject(with: JSONEncoder().encode(JobManifest(current.spec)))
            let merged = MergePatch.apply(fields, to: stored) ?? [:]
            let manifest: JobManifest
            do {
                manifest = try JSONDecoder().decode(JobManifest.self, from: JSONSerialization.data(withJSONObject: merged))
            } catch let error as DecodingError {
                throw ErrorMiddleware.answer(for: error)
            }
            var problems: [APIError.Problem] = []
            if manifest.tenant != tenant { problems.append(.init(field: "tenant", message: "cannot change (it is \"\(tenant)\")")) }
            if manifest.name != name { problems.append(.init(field: "name", message: "cannot change (it is \"\(name)\")")) }
            if !problems.isEmpty { throw APIError.invalid(problems) }
            let spec = try Self.spec(of: Components.Schemas.JobManifest(manifest), tenant: tenant, name: name)
            try await checkTargetPolicy(spec, writtenBy: token)
            let written: Result<StoredJob, JobStoreError>
            do {
                written = .success(try await store.put(spec, condition: .revision(expected ?? current.modRevision), author: Self.author(token)).job)
            } catch {
                written = .failure(error)
            }
            switch written {
            case .success(let job):
                return .ok(.init(headers: .init(ETag: "\"\(job.modRevision)\""), body: .json(Components.Schemas.Job(job))))
            case .failure(let error) where error.code == .staleRevision && expected == nil:
                continue  // changed since read: merge again onto the new version
            case .failure(let error):
                throw error
            }
        }
        throw APIError(.conflict, code: "conflict", "job \(tenant)/\(name) kept changing while it was being patched; try again")
    }
}
