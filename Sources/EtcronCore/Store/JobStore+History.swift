import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

extension JobStore {
    /// The most records one history read returns.
    public static let maximumHistoryLimit = 1000

    /// The job's latest decisions, newest scheduled time first, from the decision log and
    /// from the runs that hold their invokes (see ``DecisionPlacement``); readable after the
    /// job is deleted, until garbage collection. Undecodable records are skipped and
    /// reported.
    /// With `before`, only scheduled times before it (the next page of a listing).
    public func decisions(
        tenant: String, name: String, limit: Int = 20, before: Int64? = nil
    ) async throws(JobStoreError) -> JobRecords<Etcron_V1_Decision> {
        let id = try Self.checked(tenant: tenant, name: name)
        func range(_ prefix: String) -> KeyRange {
            guard let before else { return .prefix(prefix) }
            return .range(from: prefix, to: prefix + JobKeys.paddedTime(before))
        }
        let txn = Txn(success: [
            .get(range(keys.decisions(tenant, name)), try Self.historyOptions(limit: limit, sortTarget: .key)),
            .get(range(scheduledRuns(tenant, name)), try Self.historyOptions(limit: limit, sortTarget: .key)),
        ])
        let result: TxnResult
        do {
            result = try await client.txn(txn)
        } catch {
            throw .etcd(error, while: "reading the decisions of \(id)")
        }
        let ranges = result.responses.map(\.range)
        let log = records(Etcron_V1_Decision.self, ranges.first??.kvs ?? [], record: "decision")
        let runs = records(Etcron_V1_Run.self, ranges.last??.kvs ?? [], record: "run")
        return JobRecords(
            records: Array(DecisionPlacement.merge(log: log.records, runs: runs.records).prefix(limit)),
            corrupt: log.corrupt + runs.corrupt)
    }

    /// A page of the job's decisions, newest scheduled time first, with times before
    /// `before` (nil: the newest), and the `before` of the next page (nil on the last).
    /// A page never splits the records of one scheduled time: two records of one time
    /// break "exactly one decision per time", and whoever audits must see them together.
    public func decisionPage(
        tenant: String, name: String, limit: Int, before: Int64?
    ) async throws(JobStoreError) -> (decisions: JobRecords<Etcron_V1_Decision>, nextBefore: Int64?) {
        let fetched = try await decisions(tenant: tenant, name: name, limit: min(limit + 1, Self.maximumHistoryLimit), before: before)
        var page = Array(fetched.records.prefix(limit))
        guard fetched.records.count > limit, let boundary = page.last?.value.scheduledUnix else {
            return (JobRecords(records: page, corrupt: fetched.corrupt), nil)
        }
        if fetched.records[limit].value.scheduledUnix == boundary, page.contains(where: { $0.value.scheduledUnix != boundary }) {
            // The next page starts with every record of the boundary's time.
            page.removeAll { $0.value.scheduledUnix == boundary }
            return (JobRecords(records: page, corrupt: fetched.corrupt), boundary + 1)
        }
        return (JobRecords(records: page, corrupt: fetched.corrupt), boundary)
    }

    /// The job's latest runs, newest first (by creation); readable after the job is
    /// deleted, until garbage collection. Undecodable records are skipped and reported.
    public func runs(tenant: String, name: String, limit: Int = 20) async throws(JobStoreError) -> JobRecords<Etcron_V1_Run> {
        try await runs(tenant: tenant, name: name, limit: limit, after: nil).runs
    }

    /// A page of the job's runs, newest first (by creation), after `cursor` (nil: the
    /// newest); the cursor of the next page is nil on the last one.
    public func runs(
        tenant: String, name: String, limit: Int, after cursor: RunCursor?
    ) async throws(JobStoreError) -> (runs: JobRecords<Etcron_V1_Run>, next: RunCursor?) {
        let id = try Self.checked(tenant: tenant, name: name)
        return try await runs(under: keys.runs(tenant, name), limit: limit, after: cursor, what: "the runs of \(id)")
    }

    /// A page of the runs of every job of `tenant`, newest first (by creation), as
    /// ``runs(tenant:name:limit:after:)`` reads one job's.
    public func runs(
        tenant: String, limit: Int, after cursor: RunCursor?
    ) async throws(JobStoreError) -> (runs: JobRecords<Etcron_V1_Run>, next: RunCursor?) {
        if let reason = JobName.refusal(of: tenant) { throw JobStoreError(.invalidArgument, "tenant: \(reason)") }
        return try await runs(under: keys.tenant(tenant), limit: limit, after: cursor, what: "the runs of tenant \(tenant)")
    }

    /// Runs under `prefix` (one job's, or a tenant's, whose range also holds specs and
    /// triggers, skipped), newest first by (create revision, key): runs created in one
    /// Txn share a revision, so the key orders them and the cursor holds both.
    ///
    /// Reads by create revision, descending, with a limit that grows until the page is
    /// full; the oldest revision of a read cut short by its limit may be partial, so it
    /// is left for the next read.
    private func runs(
        under prefix: String, limit: Int, after cursor: RunCursor?, what: String
    ) async throws(JobStoreError) -> (runs: JobRecords<Etcron_V1_Run>, next: RunCursor?) {
        var options = try Self.historyOptions(limit: limit, sortTarget: .createRevision)
        options.maxCreateRevision = cursor?.createRevision ?? 0
        var fetch = Int64(limit) * 2 + 16
        while true {
            options.limit = fetch
            let result: RangeResult
            do {
                result = try await client.range(.prefix(prefix), options: options)
            } catch {
                throw .etcd(error, while: "reading \(what)")
            }
            var candidates = result.kvs.filter { kv in
                guard case .run? = RecordKey(kv.keyString, keys: keys) else { return false }
                guard let cursor else { return true }
                return kv.createRevision < cursor.createRevision || (kv.createRevision == cursor.createRevision && kv.keyString < cursor.key)
            }
            if result.more, let oldest = result.kvs.last?.createRevision {
                candidates.removeAll { $0.createRevision == oldest }
            }
            if candidates.count < limit, result.more, fetch < 50_000 {
                fetch *= 4
                continue
            }
            candidates.sort { ($0.createRevision, $0.keyString) > ($1.createRevision, $1.keyString) }
            let page = Array(candidates.prefix(limit))
            let more = candidates.count > limit || result.more
            let next = more ? page.last.map { RunCursor(createRevision: $0.createRevision, key: $0.keyString) } : nil
            return (records(Etcron_V1_Run.self, page, record: "run"), next)
        }
    }

    /// The runs of the job with `runIDs` that still exist, by ID (corrupt ones skipped and
    /// reported): what became of the runs some decisions invoked.
    public func runs(tenant: String, name: String, ids runIDs: [String]) async throws(JobStoreError) -> [String: Etcron_V1_Run] {
        let id = try Self.checked(tenant: tenant, name: name)
        let values = try await readKeys(runIDs.map { keys.run(tenant, name, runID: $0) }, what: "reading the runs of \(id)")
        var runs: [String: Etcron_V1_Run] = [:]
        for (runID, kv) in zip(runIDs, values) {
            guard let kv, case .success(let run) = decode(Etcron_V1_Run.self, kv, record: "run") else { continue }
            runs[runID] = run
        }
        return runs
    }

    /// The job's spec, status, pending triggers and latest decisions and runs, read in one
    /// Txn (one revision).
    /// - Throws: ``JobStoreError/Code/notFound`` when there is no such job, and
    ///   ``JobStoreError/Code/corruptRecord`` when its spec cannot be read.
    ///
    /// Without `history`, the decisions and runs are not read (they come back empty): the
    /// job and its status only, in a smaller Txn (the API's answer about one job).
    public func describe(tenant: String, name: String, limit: Int = 10, history: Bool = true) async throws(JobStoreError) -> JobDescription {
        let id = try Self.checked(tenant: tenant, name: name)
        let record = JobRecordKeys(keys, id)
        var countOnly = RangeOptions()
        countOnly.countOnly = true
        var none = RangeOptions()
        none.countOnly = true
        none.limit = 1
        let txn = Txn(success: [
            .get(.key(record.spec)),
            .get(.key(record.status)),
            .get(.prefix(record.triggers), countOnly),
            history ? .get(.prefix(record.decisions), try Self.historyOptions(limit: limit, sortTarget: .key)) : .get(.key(record.spec), none),
            history ? .get(.prefix(record.runs), try Self.historyOptions(limit: limit, sortTarget: .createRevision)) : .get(.key(record.spec), none),
            // The newest scheduled runs: they hold the newest invokes' decisions, and
            // bring the status up to date.
            .get(.prefix(scheduledRuns(tenant, name)), try Self.historyOptions(limit: limit, sortTarget: .key)),
        ])
        let result: TxnResult
        do {
            result = try await client.txn(txn)
        } catch {
            throw .etcd(error, while: "reading \(id)")
        }
        let ranges = result.responses.map(\.range)
        guard ranges.count == 6, let specKV = ranges[0]?.kvs.first else {
            throw JobStoreError(.notFound, "job \(id) not found")
        }
        let job: StoredJob
        switch decodeSpec(specKV, id) {
        case .success(let stored): job = stored
        case .failure(let corrupt): throw JobStoreError(.corruptRecord, "job \(id): stored spec \(corrupt)")
        }
        var corrupt: [CorruptRecord] = []
        var status: Etcron_V1_JobStatus?
        if let statusKV = ranges[1]?.kvs.first {
            switch decode(Etcron_V1_JobStatus.self, statusKV, record: "status") {
            case .success(let value): status = value
            case .failure(let record): corrupt.append(record)
            }
        }
        let log = records(Etcron_V1_Decision.self, ranges[3]?.kvs ?? [], record: "decision")
        let runs = records(Etcron_V1_Run.self, ranges[4]?.kvs ?? [], record: "run")
        let scheduled = records(Etcron_V1_Run.self, ranges[5]?.kvs ?? [], record: "run")
        let decisions = history ? DecisionPlacement.merge(log: log.records, runs: scheduled.records).prefix(limit) : []
        // The stored status lags the runs that hold invokes: show it as a leader reads it.
        let reconciled = (status ?? Etcron_V1_JobStatus()).reconciled(with: scheduled.values)
        let corruptRuns = Dictionary((runs.corrupt + scheduled.corrupt).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        return JobDescription(
            job: job, status: status == nil && reconciled == Etcron_V1_JobStatus() ? nil : reconciled, pendingTriggers: Int(ranges[2]?.count ?? 0),
            decisions: Array(decisions), runs: runs.records,
            corrupt: corrupt + log.corrupt + corruptRuns.values.sorted { $0.key < $1.key }, revision: result.header.revision)
    }

    /// The job's scheduled runs (`s-<time>-…`), whose keys sort by scheduled time: read
    /// newest first with a limit, they hold the newest invokes' decisions, so a history
    /// read never loads every run (up to 2,000 of 64 KiB each).
    private func scheduledRuns(_ tenant: String, _ name: String) -> String {
        keys.runs(tenant, name) + RunID.scheduledPrefix
    }

    private static func historyOptions(limit: Int, sortTarget: RangeOptions.SortTarget) throws(JobStoreError) -> RangeOptions {
        guard (1...maximumHistoryLimit).contains(limit) else {
            throw JobStoreError(.invalidArgument, "limit: must be from 1 to \(maximumHistoryLimit), not \(limit)")
        }
        var options = RangeOptions()
        options.limit = Int64(limit)
        options.sortOrder = .descending
        options.sortTarget = sortTarget
        return options
    }

    private func records<M: SwiftProtobuf.Message>(_ type: M.Type, _ kvs: [KeyValue], record: String) -> JobRecords<M> {
        var records: [JobRecord<M>] = []
        var corrupt: [CorruptRecord] = []
        for kv in kvs {
            switch decode(type, kv, record: record) {
            case .success(let value): records.append(JobRecord(key: kv.keyString, value: value, modRevision: kv.modRevision))
            case .failure(let bad): corrupt.append(bad)
            }
        }
        return JobRecords(records: records, corrupt: corrupt)
    }
}
