import EtcdClient
import EtcronProto
import Foundation
import Logging
import Metrics
import SwiftProtobuf

/// Reads and writes job specs in etcd for the API and the CLI; the leader only reads them.
///
/// - Writes are checked first (``JobValidation``) and fenced per job: an update compares
///   the spec's mod revision read before it, a create compares that the key is absent, a
///   trigger compares the spec as read. A lost race is retried from a fresh read.
/// - Deleting a job deletes its spec (and its pending manual triggers). Its status,
///   decisions and runs stay readable (``decisions(tenant:name:limit:)``,
///   ``runs(tenant:name:limit:)``) until garbage collection removes them; a job created
///   again under the same name starts with a new create revision and `created_at_unix_ms`.
/// - A record that cannot be decoded (bytes written by hand with etcdctl, or a spec whose
///   tenant and name differ from its key) never fails a listing: it is skipped, returned
///   in a `corrupt` list, logged as a warning and counted in
///   `etcron_corrupt_records_total{record}`.
/// - Tenant quotas are records in etcd too (``setQuota(_:maxJobs:maxRunningRuns:note:)``),
///   read by every apply, so every writer sees the same limits without a restart.
public struct JobStore: Sendable {
    /// The etcd client.
    public let client: any EtcdKV
    /// Where jobs live.
    public let keys: JobKeys
    let logger: Logger
    let now: @Sendable () -> Date

    /// How many job writes of one apply are in flight at once.
    static let writeConcurrency = 8
    /// Keys per Txn when reading many specs (etcd's default `--max-txn-ops` is 128).
    static let readBatch = 128
    /// Keys per page of a keys-only scan.
    static let scanPage: Int64 = 5000
    /// Read-modify-write attempts before giving up with ``JobStoreError/Code/conflict``.
    /// Every lost race is another writer's success, so this only ends a write that keeps
    /// losing to a crowd; between attempts, `backOff` spreads the crowd out.
    static let maximumAttempts = 16

    /// The wait between attempts of a write that lost a race: random (the other writers
    /// are racing too), from about 1 ms growing to at most 64 ms.
    static let raceBackoff = Backoff(initial: .milliseconds(2), maximum: .milliseconds(64), jitter: .full)

    /// The read-modify-write of `key`, as every store write does it.
    func compareAndSwap(_ key: String, attempts: Int = maximumAttempts) -> CompareAndSwap {
        CompareAndSwap(kv: client, key: key, attempts: attempts, backoff: Self.raceBackoff)
    }

    /// A store over `client` with keys under `keys`' prefix.
    /// - Parameter now: the clock for `created_at_unix_ms`, `@every` anchors and trigger IDs.
    public init(
        client: any EtcdKV, keys: JobKeys,
        logger: Logger = Logger(label: "etcron.jobs"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.keys = keys
        self.logger = logger
        self.now = now
    }

    /// The job's spec, or nil if there is none.
    /// - Throws: ``JobStoreError/Code/corruptRecord`` when the stored spec cannot be read.
    public func get(tenant: String, name: String) async throws(JobStoreError) -> StoredJob? {
        let id = try Self.checked(tenant: tenant, name: name)
        let kv: KeyValue?
        do {
            kv = try await client.get(keys.spec(tenant, name))
        } catch {
            throw .etcd(error, while: "reading \(id)")
        }
        guard let kv else { return nil }
        switch decodeSpec(kv, id) {
        case .success(let job): return job
        case .failure(let corrupt): throw JobStoreError(.corruptRecord, "job \(id): stored spec \(corrupt)")
        }
    }

    /// Every job, or one tenant's, ordered by tenant and name; unreadable specs are skipped
    /// and returned in ``JobList/corrupt``.
    ///
    /// Reads the keys (without values) under the prefix page by page, then the values of
    /// the spec keys in Txns of 128, so history records are never transferred.
    public func list(tenant: String? = nil) async throws(JobStoreError) -> JobList {
        if let tenant, let reason = JobName.refusal(of: tenant) {
            throw JobStoreError(.invalidArgument, "tenant: \(reason)")
        }
        let specKeys = try await scanSpecKeys(under: tenant.map(keys.tenant) ?? keys.jobs)
        var jobs: [StoredJob] = []
        var corrupt: [CorruptRecord] = []
        for start in stride(from: 0, to: specKeys.count, by: Self.readBatch) {
            let batch = Array(specKeys[start..<min(start + Self.readBatch, specKeys.count)])
            for (id, kv) in zip(batch.map(\.id), try await readKeys(batch.map(\.key), what: "listing jobs")) {
                guard let kv else { continue }  // deleted since the scan
                switch decodeSpec(kv, id) {
                case .success(let job): jobs.append(job)
                case .failure(let record): corrupt.append(record)
                }
            }
        }
        // Key order is not name order ("a-b/" sorts before "a/"); callers expect names.
        jobs.sort { $0.id < $1.id }
        return JobList(jobs: jobs, corrupt: corrupt)
    }

    /// Deletes the job's spec and its pending manual triggers; its status, decisions and
    /// runs stay until garbage collection. Returns whether the job existed.
    @discardableResult
    public func delete(tenant: String, name: String) async throws(JobStoreError) -> Bool {
        let id = try Self.checked(tenant: tenant, name: name)
        let record = JobRecordKeys(keys, id)
        let txn = Txn(
            compare: [.createRevision(record.spec, .greater, 0)],
            success: [.delete(.key(record.spec)), .delete(.prefix(record.triggers))])
        do {
            return try await client.txn(txn).succeeded
        } catch {
            throw .etcd(error, while: "deleting \(id)")
        }
    }

    // MARK: - Helpers

    /// The job ID of `tenant`/`name`, refused unless both are DNS subdomains.
    static func checked(tenant: String, name: String) throws(JobStoreError) -> JobID {
        var problems: [String] = []
        if let reason = JobName.refusal(of: tenant) { problems.append("tenant: \(reason)") }
        if let reason = JobName.refusal(of: name) { problems.append("name: \(reason)") }
        guard problems.isEmpty else { throw JobStoreError(.invalidArgument, problems.joined(separator: "\n")) }
        return JobID(tenant: tenant, name: name)
    }

    /// The spec keys under `prefix`, from a keys-only scan at `revision` (0: the latest).
    func scanSpecKeys(under prefix: String, revision: Int64 = 0) async throws(JobStoreError) -> [(id: JobID, key: String)] {
        var found: [(id: JobID, key: String)] = []
        do {
            try await client.rangePaged(.prefix(prefix), pageSize: Self.scanPage, keysOnly: true, revision: revision) { page in
                for kv in page {
                    let key = kv.keyString
                    if case .spec(let id)? = RecordKey(key, keys: keys) { found.append((id, key)) }
                }
            }
        } catch {
            throw .etcd(error, while: "scanning \(prefix)")
        }
        return found
    }

    /// The current values of `keys` (nil for absent ones), in Txns of at most 128 reads.
    func readKeys(_ keys: [String], what: String) async throws(JobStoreError) -> [KeyValue?] {
        var values: [KeyValue?] = []
        for start in stride(from: 0, to: keys.count, by: Self.readBatch) {
            let batch = keys[start..<min(start + Self.readBatch, keys.count)]
            let result: TxnResult
            do {
                result = try await client.txn(Txn(success: batch.map { .get(.key($0)) }))
            } catch {
                throw .etcd(error, while: what)
            }
            values += result.responses.map { $0.range?.kvs.first }
        }
        return values
    }

    /// Decodes a spec record, which must name the job its key names.
    func decodeSpec(_ kv: KeyValue, _ id: JobID) -> Result<StoredJob, CorruptRecord> {
        switch decode(Etcron_V1_JobSpec.self, kv, record: "spec") {
        case .failure(let corrupt):
            return .failure(corrupt)
        case .success(let spec) where spec.tenant != id.tenant || spec.name != id.name:
            return .failure(reportCorrupt(kv.keyString, "names job \"\(spec.tenant)/\(spec.name)\", not \(id)", record: "spec"))
        case .success(let spec):
            return .success(StoredJob(id: id, spec: spec, createRevision: kv.createRevision, modRevision: kv.modRevision))
        }
    }

    /// Decodes a protobuf record; an undecodable one is reported and returned as corrupt.
    func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ kv: KeyValue, record: String) -> Result<M, CorruptRecord> {
        do {
            return .success(try M(serializedBytes: kv.value))
        } catch {
            return .failure(reportCorrupt(kv.keyString, "is not a valid \(record) record (\(kv.value.count) bytes: \(error))", record: record))
        }
    }

    private func reportCorrupt(_ key: String, _ reason: String, record: String) -> CorruptRecord {
        let corrupt = CorruptRecord(key: key, reason: reason)
        report(corrupt, record: record)
        return corrupt
    }

    /// Logs a corrupt record as a warning and counts it in
    /// `etcron_corrupt_records_total{record}`.
    func report(_ corrupt: CorruptRecord, record: String) {
        logger.warning("skipping a corrupt record", metadata: ["key": "\(corrupt.key)", "record": "\(record)", "reason": "\(corrupt.reason)"])
        CorruptRecords.count(record)
    }

    /// Milliseconds since the Unix epoch, now.
    var nowMilliseconds: Int64 {
        Int64((now().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
