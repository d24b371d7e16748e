import EtcdClient
import EtcronCore
import EtcronProto
import Foundation

/// The verbs straight against etcd, through the core's job store: what administrators
/// with etcd credentials use (`--etcd-endpoints`); writes carry no API author.
struct EtcdJobService: JobService {
    let store: JobStore
    let client: EtcdClient
    let keys: ReplicaKeys

    func apply(_ specs: [Etcron_V1_JobSpec]) async throws(JobStoreError) -> [JobApplyResult] { try await store.apply(specs) }

    func get(tenant: String, name: String) async throws(JobStoreError) -> StoredJob? { try await store.get(tenant: tenant, name: name) }

    func list(tenant: String?) async throws(JobStoreError) -> JobList { try await store.list(tenant: tenant) }

    func delete(tenant: String, name: String) async throws(JobStoreError) -> Bool { try await store.delete(tenant: tenant, name: name) }

    func describe(tenant: String, name: String, limit: Int) async throws(JobStoreError) -> JobDescription {
        try await store.describe(tenant: tenant, name: name, limit: limit)
    }

    func setSuspended(tenant: String, name: String, _ suspended: Bool, note: String) async throws(JobStoreError) -> JobApplyResult {
        try await store.setSuspended(tenant: tenant, name: name, suspended, note: note)
    }

    func trigger(tenant: String, name: String, note: String) async throws(JobStoreError) -> String {
        let requestedBy = "\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")@\(ProcessInfo.processInfo.hostName)"
        let triggerID = try await store.trigger(tenant: tenant, name: name, note: note, requestedBy: String(requestedBy.prefix(JobName.maximumLength)))
        return RunID.manual(tenant: tenant, job: name, triggerID: triggerID)
    }

    func runs(tenant: String, name: String, limit: Int) async throws(JobStoreError) -> JobRecords<Etcron_V1_Run> {
        try await store.runs(tenant: tenant, name: name, limit: limit)
    }

    func runs(tenant: String, name: String, ids: [String]) async throws(JobStoreError) -> [String: Etcron_V1_Run] {
        try await store.runs(tenant: tenant, name: name, ids: ids)
    }

    func decisions(tenant: String, name: String, limit: Int) async throws(JobStoreError) -> JobRecords<Etcron_V1_Decision> {
        try await store.decisions(tenant: tenant, name: name, limit: limit)
    }

    func jobPage(tenant: String?, limit: Int, continue token: String?) async throws(JobStoreError) -> (page: JobList, next: String?) {
        let page = try await store.page(tenants: tenant.map { [$0] }, after: token, limit: limit)
        return (JobList(jobs: page.jobs, corrupt: page.corrupt), page.nextAfterKey)
    }

    func decisionPage(
        tenant: String, name: String, limit: Int, continue token: String?
    ) async throws(JobStoreError) -> (decisions: JobRecords<Etcron_V1_Decision>, next: String?) {
        let (decisions, next) = try await store.decisionPage(tenant: tenant, name: name, limit: limit, before: token.flatMap { Int64($0) })
        return (decisions, next.map(String.init))
    }

    func status(tenant: String, name: String) async throws(JobStoreError) -> Etcron_V1_JobStatus? {
        try await store.describe(tenant: tenant, name: name, limit: 1, history: false).status
    }

    func quotas() async throws(JobStoreError) -> QuotaList { try await store.quotas() }

    func setQuota(_ scope: QuotaScope, maxJobs: Int64?, maxRunningRuns: Int64?, note: String?) async throws(JobStoreError) -> QuotaSetResult {
        try await store.setQuota(scope, maxJobs: maxJobs, maxRunningRuns: maxRunningRuns, note: note)
    }

    func deleteQuota(_ scope: QuotaScope) async throws(JobStoreError) -> Bool { try await store.deleteQuota(scope) }

    func clusterStatus() async throws(JobStoreError) -> ClusterStatus {
        do {
            return try await ClusterStatus.read(client: client, keys: keys)
        } catch {
            throw JobStoreError(.etcd, "cannot read the cluster's status from etcd (\(client.endpointDescription)): \(error)")
        }
    }

    func close() async { await client.close() }
}
