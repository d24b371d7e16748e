import EtcronAPIClient
import EtcronAPIModel
import EtcronCore
import EtcronProto
import Foundation

/// The verbs through a replica's `/v1` API, with a bearer token: what teams use, without
/// etcd credentials. The token's name is recorded as the author of every write.
struct APIJobService: JobService {
    let connection: APIConnection
    var client: Client { connection.client }

    func apply(_ specs: [Etcron_V1_JobSpec]) async throws(JobStoreError) -> [JobApplyResult] {
        var results: [JobApplyResult] = []
        for spec in specs {
            do throws(JobStoreError) {
                results.append(try await apply(spec))
            } catch {
                var failure = error
                failure.applied = results
                throw failure
            }
        }
        return results
    }

    /// One job, as `apply` writes it: unchanged when the stored manifest already says the
    /// same; otherwise written only over the version just read (or created when absent).
    private func apply(_ spec: Etcron_V1_JobSpec) async throws(JobStoreError) -> JobApplyResult {
        let id = JobID(tenant: spec.tenant, name: spec.name)
        let current = try await get(tenant: id.tenant, name: id.name)
        let manifest = JobManifest(spec)
        if let current, JobManifest(current.spec) == manifest {
            return JobApplyResult(id: id, outcome: .unchanged, revision: current.modRevision)
        }
        var body = Components.Schemas.JobManifest(manifest)
        body.resourceVersion = current.map { String($0.modRevision) }
        let output = try await call { try await client.replaceJob(path: .init(tenant: id.tenant, name: id.name), body: .json(body)) }
        switch output {
        case .ok(let ok): return JobApplyResult(id: id, outcome: .updated, revision: Int64(try Self.unwrap { try ok.body.json.resourceVersion }) ?? 0)
        case .created(let created):
            return JobApplyResult(id: id, outcome: .created, revision: Int64(try Self.unwrap { try created.body.json.resourceVersion }) ?? 0)
        default: throw Self.unexpected(output)
        }
    }

    func get(tenant: String, name: String) async throws(JobStoreError) -> StoredJob? {
        do throws(JobStoreError) {
            let output = try await call { try await client.getJob(path: .init(tenant: tenant, name: name)) }
            guard case .ok(let ok) = output else { throw Self.unexpected(output) }
            return StoredJob(try Self.unwrap { try ok.body.json })
        } catch where error.code == .notFound {
            return nil
        }
    }

    func list(tenant: String?) async throws(JobStoreError) -> JobList {
        var jobs: [StoredJob] = []
        var corrupt: [CorruptRecord] = []
        var next: String?
        repeat {
            let page = next
            let output = try await call { try await client.listJobs(query: .init(tenant: tenant, limit: 1000, _continue: page)) }
            guard case .ok(let ok) = output else { throw Self.unexpected(output) }
            let list = try Self.unwrap { try ok.body.json }
            jobs += list.items.map(StoredJob.init)
            corrupt += (list.skippedRecords ?? []).map { CorruptRecord(key: $0.key, reason: $0.reason) }
            next = list._continue
        } while next != nil
        return JobList(jobs: jobs.sorted { $0.id < $1.id }, corrupt: corrupt)
    }

    func delete(tenant: String, name: String) async throws(JobStoreError) -> Bool {
        do throws(JobStoreError) {
            _ = try await call { try await client.deleteJob(path: .init(tenant: tenant, name: name)) }
            return true
        } catch where error.code == .notFound {
            return false
        }
    }

    func describe(tenant: String, name: String, limit: Int) async throws(JobStoreError) -> JobDescription {
        let output = try await call { try await client.getJob(path: .init(tenant: tenant, name: name)) }
        guard case .ok(let ok) = output else { throw Self.unexpected(output) }
        let job = try Self.unwrap { try ok.body.json }
        let decisions = try await self.decisions(tenant: tenant, name: name, limit: limit)
        let runs = try await self.runs(tenant: tenant, name: name, limit: limit)
        return JobDescription(
            job: StoredJob(job), status: job.status.map(Etcron_V1_JobStatus.init), pendingTriggers: Int(job.status?.pendingTriggers ?? 0),
            decisions: decisions.records, runs: runs.records, corrupt: decisions.corrupt + runs.corrupt, revision: 0)
    }

    func setSuspended(tenant: String, name: String, _ suspended: Bool, note: String) async throws(JobStoreError) -> JobApplyResult {
        let before = try await get(tenant: tenant, name: name)
        let id = JobID(tenant: tenant, name: name)
        guard let before else { throw JobStoreError(.notFound, "job \(id) not found") }
        let body: Components.Schemas.NoteRequest = .init(note: note.isEmpty ? nil : note)
        let version: String
        if suspended {
            let output = try await call { try await client.suspendJob(path: .init(tenant: tenant, name: name), body: .json(body)) }
            guard case .ok(let ok) = output else { throw Self.unexpected(output) }
            version = try Self.unwrap { try ok.body.json.resourceVersion }
        } else {
            let output = try await call { try await client.resumeJob(path: .init(tenant: tenant, name: name), body: .json(body)) }
            guard case .ok(let ok) = output else { throw Self.unexpected(output) }
            version = try Self.unwrap { try ok.body.json.resourceVersion }
        }
        let revision = Int64(version) ?? 0
        return JobApplyResult(id: id, outcome: revision == before.modRevision ? .unchanged : .updated, revision: revision)
    }

    func trigger(tenant: String, name: String, note: String) async throws(JobStoreError) -> String {
        let body: Components.Schemas.NoteRequest = .init(note: note.isEmpty ? nil : note)
        let output = try await call { try await client.triggerJob(path: .init(tenant: tenant, name: name), body: .json(body)) }
        guard case .accepted(let accepted) = output else { throw Self.unexpected(output) }
        return try Self.unwrap { try accepted.body.json.runID }
    }

    func runs(tenant: String, name: String, limit: Int) async throws(JobStoreError) -> JobRecords<Etcron_V1_Run> {
        let output = try await call { try await client.listJobRuns(path: .init(tenant: tenant, name: name), query: .init(limit: Int32(clamping: limit))) }
        guard case .ok(let ok) = output else { throw Self.unexpected(output) }
        let list = try Self.unwrap { try ok.body.json }
        return JobRecords(
            records: list.items.map { JobRecord(key: $0.runID, value: Etcron_V1_Run($0), modRevision: 0) },
            corrupt: (list.skippedRecords ?? []).map { CorruptRecord(key: $0.key, reason: $0.reason) })
    }

    func runs(tenant: String, name: String, ids: [String]) async throws(JobStoreError) -> [String: Etcron_V1_Run] {
        var runs: [String: Etcron_V1_Run] = [:]
        for runID in ids {
            do throws(JobStoreError) {
                let output = try await call { try await client.getJobRun(path: .init(tenant: tenant, name: name, runID: runID)) }
                guard case .ok(let ok) = output else { throw Self.unexpected(output) }
                runs[runID] = Etcron_V1_Run(try Self.unwrap { try ok.body.json })
            } catch where error.code == .notFound {
                continue  // trimmed: its decision stays
            }
        }
        return runs
    }

    func decisions(tenant: String, name: String, limit: Int) async throws(JobStoreError) -> JobRecords<Etcron_V1_Decision> {
        let output = try await call {
            try await client.listJobDecisions(path: .init(tenant: tenant, name: name), query: .init(limit: Int32(clamping: limit)))
        }
        guard case .ok(let ok) = output else { throw Self.unexpected(output) }
        let list = try Self.unwrap { try ok.body.json }
        return JobRecords(
            records: list.items.map { JobRecord(key: "", value: Etcron_V1_Decision($0), modRevision: 0) },
            corrupt: (list.skippedRecords ?? []).map { CorruptRecord(key: $0.key, reason: $0.reason) })
    }

    func jobPage(tenant: String?, limit: Int, continue token: String?) async throws(JobStoreError) -> (page: JobList, next: String?) {
        let output = try await call {
            try await client.listJobs(query: .init(tenant: tenant, limit: Int32(clamping: limit), _continue: token))
        }
        guard case .ok(let ok) = output else { throw Self.unexpected(output) }
        let list = try Self.unwrap { try ok.body.json }
        return (
            JobList(jobs: list.items.map(StoredJob.init), corrupt: (list.skippedRecords ?? []).map { CorruptRecord(key: $0.key, reason: $0.reason) }),
            list._continue
        )
    }

    func decisionPage(
        tenant: String, name: String, limit: Int, continue token: String?
    ) async throws(JobStoreError) -> (decisions: JobRecords<Etcron_V1_Decision>, next: String?) {
        let output = try await call {
            try await client.listJobDecisions(path: .init(tenant: tenant, name: name), query: .init(limit: Int32(clamping: limit), _continue: token))
        }
        guard case .ok(let ok) = output else { throw Self.unexpected(output) }
        let list = try Self.unwrap { try ok.body.json }
        return (
            JobRecords(
                records: list.items.map { JobRecord(key: "", value: Etcron_V1_Decision($0), modRevision: 0) },
                corrupt: (list.skippedRecords ?? []).map { CorruptRecord(key: $0.key, reason: $0.reason) }),
            list._continue
        )
    }

    func status(tenant: String, name: String) async throws(JobStoreError) -> Etcron_V1_JobStatus? {
        let output = try await call { try await client.getJob(path: .init(tenant: tenant, name: name)) }
        guard case .ok(let ok) = output else { throw Self.unexpected(output) }
        return try Self.unwrap { try ok.body.json }.status.map(Etcron_V1_JobStatus.init)
    }

    func quotas() async throws(JobStoreError) -> QuotaList {
        let output = try await call { try await client.listQuotas() }
        guard case .ok(let ok) = output else { throw Self.unexpected(output) }
        let list = try Self.unwrap { try ok.body.json }
        return QuotaList(
            quotas: list.items.map(StoredQuota.init),
            corrupt: (list.skippedRecords ?? []).map { CorruptRecord(key: $0.key, reason: $0.reason) }, revision: 0)
    }

    func setQuota(_ scope: QuotaScope, maxJobs: Int64?, maxRunningRuns: Int64?, note: String?) async throws(JobStoreError) -> QuotaSetResult {
        // The API replaces a record whole; limits not given keep their stored values.
        let stored = try await quotas().quotas.first { $0.scope == scope }
        let body = Components.Schemas.QuotaSpec(
            maxJobs: maxJobs ?? stored?.quota.maxJobs ?? 0, maxRunningRuns: maxRunningRuns ?? stored?.quota.maxRunningRuns ?? 0,
            note: note ?? stored?.quota.note, resourceVersion: stored.map { String($0.modRevision) })
        let quota: Components.Schemas.Quota
        let created: Bool
        switch scope {
        case .default:
            let output = try await call { try await client.setDefaultQuota(body: .json(body)) }
            switch output {
            case .ok(let ok): (quota, created) = (try Self.unwrap { try ok.body.json }, false)
            case .created(let new): (quota, created) = (try Self.unwrap { try new.body.json }, true)
            default: throw Self.unexpected(output)
            }
        case .tenant(let tenant):
            let output = try await call { try await client.setTenantQuota(path: .init(tenant: tenant), body: .json(body)) }
            switch output {
            case .ok(let ok): (quota, created) = (try Self.unwrap { try ok.body.json }, false)
            case .created(let new): (quota, created) = (try Self.unwrap { try new.body.json }, true)
            default: throw Self.unexpected(output)
            }
        }
        let record = StoredQuota(quota)
        let outcome: JobApplyResult.Outcome = created ? .created : record.modRevision == stored?.modRevision ? .unchanged : .updated
        return QuotaSetResult(outcome: outcome, stored: StoredQuota(scope: scope, quota: record.quota, modRevision: record.modRevision))
    }

    func deleteQuota(_ scope: QuotaScope) async throws(JobStoreError) -> Bool {
        do throws(JobStoreError) {
            switch scope {
            case .default: _ = try await call { try await client.deleteDefaultQuota() }
            case .tenant(let tenant): _ = try await call { try await client.deleteTenantQuota(path: .init(tenant: tenant)) }
            }
            return true
        } catch where error.code == .notFound {
            return false
        }
    }

    func clusterStatus() async throws(JobStoreError) -> ClusterStatus {
        let output = try await call { try await client.getCluster() }
        guard case .ok(let ok) = output else { throw Self.unexpected(output) }
        return ClusterStatus(try Self.unwrap { try ok.body.json })
    }

    func close() async {}

    // MARK: - Errors

    /// Runs one API call; its failure as the store's error, with the server's message.
    private func call<Output>(_ body: () async throws -> Output) async throws(JobStoreError) -> Output {
        do {
            return try await body()
        } catch {
            throw Self.storeError(APIFailure.from(error))
        }
    }

    private static func unwrap<Value>(_ body: () throws -> Value) throws(JobStoreError) -> Value {
        do {
            return try body()
        } catch {
            throw JobStoreError(.refused, "the server's answer is not what the API's contract describes: \(error)")
        }
    }

    private static func unexpected(_ output: some Sendable) -> JobStoreError {
        JobStoreError(.refused, "the server answered unexpectedly: \(output)")
    }

    /// An API error as the store's: refused input keeps every field problem (exit 2).
    static func storeError(_ failure: APIFailure) -> JobStoreError {
        switch failure.code {
        case "invalid", "unknownField", "wrongType", "malformedJson", "invalidParameter":
            let problems = failure.problems.isEmpty
                ? [JobValidationProblem(field: failure.field ?? "", reason: failure.message)]
                : failure.problems.map { JobValidationProblem(field: $0.field, reason: $0.message) }
            return JobStoreError(.invalid, failure.message, problems: problems)
        case "notFound": return JobStoreError(.notFound, failure.message)
        case "alreadyExists": return JobStoreError(.alreadyExists, failure.message)
        case "staleResourceVersion": return JobStoreError(.staleRevision, failure.message)
        case "quotaExceeded": return JobStoreError(.quotaExceeded, failure.message)
        case "conflict": return JobStoreError(.conflict, failure.message)
        case "corruptRecord": return JobStoreError(.corruptRecord, failure.message)
        case "unavailable": return JobStoreError(.etcd, failure.message)
        case "rateLimited": return JobStoreError(.refused, failure.message + (failure.retryAfter.map { " (retry after \($0) s)" } ?? ""))
        default: return JobStoreError(.refused, failure.message)
        }
    }
}
