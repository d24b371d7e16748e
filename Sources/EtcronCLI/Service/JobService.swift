import EtcronCore
import EtcronProto

/// What the client verbs do with jobs, whichever way they reach them: straight in etcd
/// (`EtcdJobService`, for administrators holding etcd credentials) or through a replica's
/// `/v1` API (`APIJobService`, for teams holding an API token). Both answer with the
/// core's records and fail with `JobStoreError`, so every verb renders the same output
/// either way.
protocol JobService: Sendable {
    func apply(_ specs: [Etcron_V1_JobSpec]) async throws(JobStoreError) -> [JobApplyResult]
    func get(tenant: String, name: String) async throws(JobStoreError) -> StoredJob?
    func list(tenant: String?) async throws(JobStoreError) -> JobList
    func delete(tenant: String, name: String) async throws(JobStoreError) -> Bool
    func describe(tenant: String, name: String, limit: Int) async throws(JobStoreError) -> JobDescription
    func setSuspended(tenant: String, name: String, _ suspended: Bool, note: String) async throws(JobStoreError) -> JobApplyResult
    /// Asks for a manual run; returns its run ID.
    func trigger(tenant: String, name: String, note: String) async throws(JobStoreError) -> String
    func runs(tenant: String, name: String, limit: Int) async throws(JobStoreError) -> JobRecords<Etcron_V1_Run>
    func runs(tenant: String, name: String, ids: [String]) async throws(JobStoreError) -> [String: Etcron_V1_Run]
    func decisions(tenant: String, name: String, limit: Int) async throws(JobStoreError) -> JobRecords<Etcron_V1_Decision>
    /// One page of jobs (of `tenant` only, when given) after the page `token` ends (nil:
    /// the first), and the next page's token (nil on the last).
    func jobPage(tenant: String?, limit: Int, continue token: String?) async throws(JobStoreError) -> (page: JobList, next: String?)
    /// One page of the job's decisions, newest scheduled time first, never splitting the
    /// records of one time, and the next page's token (nil on the last).
    func decisionPage(
        tenant: String, name: String, limit: Int, continue token: String?
    ) async throws(JobStoreError) -> (decisions: JobRecords<Etcron_V1_Decision>, next: String?)
    /// The leader's status of the job (nil before its first decision).
    func status(tenant: String, name: String) async throws(JobStoreError) -> Etcron_V1_JobStatus?
    func quotas() async throws(JobStoreError) -> QuotaList
    func setQuota(_ scope: QuotaScope, maxJobs: Int64?, maxRunningRuns: Int64?, note: String?) async throws(JobStoreError) -> QuotaSetResult
    func deleteQuota(_ scope: QuotaScope) async throws(JobStoreError) -> Bool
    func clusterStatus() async throws(JobStoreError) -> ClusterStatus
    /// Releases the connection.
    func close() async
}
