import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

extension JobStore {
    /// Creates or updates `specs`, all checked before anything is written.
    ///
    /// Every spec is validated first (``JobValidation/problems(in:)-([Etcron_V1_JobSpec])``)
    /// and the tenants' quotas, read from etcd in the same apply, are checked against the
    /// jobs it would add (``QuotaBook/maxJobs(forTenant:)``); if anything is refused,
    /// nothing is written. Then each job is written in its own Txn (jobs created in a tenant
    /// with a job limit one after another, each fenced on the tenant's guard key, so that
    /// applies racing for a tenant's last slots cannot both take them; see `QuotaGate`):
    /// a create sets `created_at_unix_ms` and `every_anchor_unix` (to now, unless given) and
    /// compares that the key is still absent; an update keeps the stored values of both
    /// and compares the spec's mod revision read before; a lost race is retried from a
    /// fresh read. A spec equal to the stored one is not written (`unchanged`).
    ///
    /// - Returns: one result per spec, in order.
    /// - Throws: ``JobStoreError`` with code `invalid` (every problem in `problems`),
    ///   `quotaExceeded` (naming tenant, limit and count), or, for a failure part-way,
    ///   `etcd`/`conflict` with the jobs written so far in `applied`.
    public func apply(_ specs: [Etcron_V1_JobSpec]) async throws(JobStoreError) -> [JobApplyResult] {
        let problems = JobValidation.problems(in: specs)
        guard problems.isEmpty else { throw .invalid(problems) }
        let ids = specs.map { JobID(tenant: $0.tenant, name: $0.name) }
        let current = try await readKeys(ids.map { keys.spec($0.tenant, $0.name) }, what: "reading the jobs to apply")
        let gates = try await checkQuotas(ids: ids, current: current)

        // A unit is written by one task, in order: a spec alone, or every job created in
        // one limited tenant (they share its guard, so they go one after another).
        var units: [[Int]] = []
        var guarded: [String: [Int]] = [:]
        for index in specs.indices {
            if current[index] == nil, gates[ids[index].tenant] != nil {
                guarded[ids[index].tenant, default: []].append(index)
            } else {
                units.append([index])
            }
        }
        units += guarded.sorted { $0.key < $1.key }.map(\.value)

        var results = [JobApplyResult?](repeating: nil, count: specs.count)
        var failure: JobStoreError?
        let write: @Sendable ([Int]) async -> [(Int, Result<JobApplyResult, JobStoreError>)] = { unit in
            var gate = gates[ids[unit[0]].tenant]
            var outcomes: [(Int, Result<JobApplyResult, JobStoreError>)] = []
            for index in unit {
                do throws(JobStoreError) {
                    if current[index] == nil, let open = gate {
                        let (applied, next) = try await self.createGuarded(specs[index], gate: open)
                        gate = next
                        outcomes.append((index, .success(applied)))
                    } else {
                        outcomes.append((index, .success(try await self.write(specs[index], current: current[index]))))
                    }
                } catch {
                    outcomes.append((index, .failure(error)))
                    break
                }
            }
            return outcomes
        }
        await withTaskGroup(of: [(Int, Result<JobApplyResult, JobStoreError>)].self) { group in
            var next = 0
            while next < min(Self.writeConcurrency, units.count) {
                let unit = units[next]
                group.addTask { await write(unit) }
                next += 1
            }
            while let outcomes = await group.next() {
                for (index, result) in outcomes {
                    switch result {
                    case .success(let applied): results[index] = applied
                    case .failure(let error): failure = failure ?? error
                    }
                }
                // After a failure, the writes in flight finish; no new one starts.
                if failure == nil, next < units.count {
                    let unit = units[next]
                    group.addTask { await write(unit) }
                    next += 1
                }
            }
        }
        if var failure {
            failure.applied = results.compactMap { $0 }
            throw failure
        }
        return results.compactMap { $0 }
    }

    /// Refuses the apply if it would take a tenant past its job limit; returns the gate of
    /// every limited tenant the apply adds jobs to.
    ///
    /// The quotas are read from etcd (``quotas()``; unreadable records are reported and
    /// count as absent) and each limited tenant's jobs are counted with its guard key's
    /// revision, which every create in the tenant then compares.
    private func checkQuotas(ids: [JobID], current: [KeyValue?]) async throws(JobStoreError) -> [String: QuotaGate] {
        var added: [String: Int] = [:]
        for (id, kv) in zip(ids, current) where kv == nil {
            added[id.tenant, default: 0] += 1
        }
        guard !added.isEmpty else { return [:] }
        let stored = try await quotas()
        let book = stored.book
        var refusals: [String] = []
        var gates: [String: QuotaGate] = [:]
        for (tenant, count) in added.sorted(by: { $0.key < $1.key }) {
            guard let limit = book.maxJobs(forTenant: tenant) else { continue }
            let gate = try await quotaGate(tenant: tenant, limit: limit)
            gates[tenant] = gate
            let existing = gate.jobs
            if existing + count > limit {
                refusals.append(
                    "tenant \"\(tenant)\" would have \(existing + count) jobs (\(existing) stored + \(count) new); its limit is \(limit)")
            }
        }
        guard refusals.isEmpty else {
            throw JobStoreError(.quotaExceeded, refusals.joined(separator: "\n") + "; nothing was applied")
        }
        return gates
    }

    /// Writes one job, fenced on what was read; re-reads and retries on a lost race.
    /// `condition` is checked against every read (a stale or existing job is refused, not
    /// retried); `author` is recorded as the job's writer (nil: a write straight in etcd).
    func write(
        _ spec: Etcron_V1_JobSpec, current initial: KeyValue?, author: JobAuthor? = nil, condition: JobWriteCondition = .none
    ) async throws(JobStoreError) -> JobApplyResult {
        let id = JobID(tenant: spec.tenant, name: spec.name)
        let key = keys.spec(id.tenant, id.name)
        do {
            return try await compareAndSwap(key).run(current: .some(initial)) { current, _ in
                try condition.check(current, id)
                let stored = current.flatMap { try? decodeSpec($0, id).get() }
                let desired = desiredSpec(spec, stored: stored?.spec, author: author)
                if let current, let stored, desired.sameDefinition(as: stored.spec) {
                    return .done(JobApplyResult(id: id, outcome: .unchanged, revision: current.modRevision))
                }
                let outcome: JobApplyResult.Outcome = current == nil ? .created : .updated
                let index: [TxnOperation] = current == nil ? [.put(keys.tenantIndex(id.tenant), Data())] : []
                return .write(operations: [.put(key, try Self.serialized(desired, id))] + index) { result in
                    JobApplyResult(id: id, outcome: outcome, revision: result.header.revision)
                }
            }
        } catch {
            throw .from(error, while: "writing \(id)", conflict: "job \(id) kept changing while it was being applied (\(Self.maximumAttempts) attempts); try again")
        }
    }

    /// How many earlier schedules a job keeps (``Etcron_V1_JobSpec/scheduleHistory``).
    public static let keptScheduleEras = 16

    /// `spec` as stored: the server-set times kept from `stored`, else set now; the writer
    /// (`author`, nil for a write straight in etcd) and the time recorded, a change of
    /// `suspend` recorded with `suspendNote`, and a change of schedule or zone with the
    /// schedule it replaced added to the history.

    func desiredSpec(_ spec: Etcron_V1_JobSpec, stored: Etcron_V1_JobSpec?, author: JobAuthor? = nil, suspendNote: String = "") -> Etcron_V1_JobSpec {
        var desired = spec
        let nowMs = nowMilliseconds
        desired.createdAtUnixMs = [stored?.createdAtUnixMs ?? 0, spec.createdAtUnixMs, nowMs].first { $0 != 0 } ?? nowMs
        desired.everyAnchorUnix = [stored?.everyAnchorUnix ?? 0, spec.everyAnchorUnix, nowMs / 1000].first { $0 != 0 } ?? 0
        if let old = stored {
            let changed = old.schedule != desired.schedule || old.timeZone != desired.timeZone
            desired.scheduleSinceUnixMs = changed ? nowMs : old.scheduleSinceUnixMs
            desired.createdBy = old.createdBy
            desired.scheduleHistory = old.scheduleHistory
            if changed {
                var era = Etcron_V1_ScheduleEra()
                era.schedule = old.schedule
                era.timeZone = old.timeZone
                era.everyAnchorUnix = old.everyAnchorUnix
                era.sinceUnixMs = max(old.createdAtUnixMs, old.scheduleSinceUnixMs)
                era.untilUnixMs = nowMs
                desired.scheduleHistory = Array((old.scheduleHistory + [era]).suffix(Self.keptScheduleEras))
            }
        } else {
            desired.scheduleSinceUnixMs = desired.createdAtUnixMs
            desired.createdBy = author?.name ?? ""
            desired.scheduleHistory = []
        }
        desired.updatedBy = author?.name ?? ""
        desired.updatedAtUnixMs = nowMs
        desired.policyBound = author.map { !$0.isAdmin } ?? false
        if let old = stored, old.hasLastSuspendChange { desired.lastSuspendChange = old.lastSuspendChange } else { desired.clearLastSuspendChange() }
        if desired.suspend != (stored?.suspend ?? false) {
            var change = Etcron_V1_SuspendChange()
            change.suspended = desired.suspend
            change.atUnixMs = nowMs
            change.by = author?.name ?? ""
            change.note = suspendNote
            desired.lastSuspendChange = change
        }
        return desired
    }

    /// Suspends (`true`) or resumes (`false`) the job, recording who did it (`author`, nil
    /// for a write straight in etcd) and why (`note`). Returns `unchanged` when it already was.
    /// - Throws: ``JobStoreError/Code/notFound`` when there is no such job.
    @discardableResult
    public func setSuspended(
        tenant: String, name: String, _ suspended: Bool, author: JobAuthor? = nil, note: String = ""
    ) async throws(JobStoreError) -> JobApplyResult {
        let id = try Self.checked(tenant: tenant, name: name)
        if note.count > Self.maximumNoteLength {
            throw JobStoreError(.invalidArgument, "note: is \(note.count) characters long; at most \(Self.maximumNoteLength) are allowed")
        }
        do {
            return try await compareAndSwap(keys.spec(tenant, name)).run { current, _ in
                guard let current else { throw JobStoreError(.notFound, "job \(id) not found") }
                var spec: Etcron_V1_JobSpec
                switch decodeSpec(current, id) {
                case .success(let job): spec = job.spec
                case .failure(let corrupt): throw JobStoreError(.corruptRecord, "job \(id): stored spec \(corrupt)")
                }
                if spec.suspend == suspended {
                    return .done(JobApplyResult(id: id, outcome: .unchanged, revision: current.modRevision))
                }
                let stored = spec
                spec.suspend = suspended
                // The writer of a suspend is recorded as the last writer, but it does not
                // change whose rights the job runs under (a suspend writes no target).
                var desired = desiredSpec(spec, stored: stored, author: author, suspendNote: note)
                desired.policyBound = stored.policyBound
                return .write(operations: [.put(current.keyString, try Self.serialized(desired, id))]) { result in
                    JobApplyResult(id: id, outcome: .updated, revision: result.header.revision)
                }
            }
        } catch {
            throw .from(error, while: "writing \(id)", conflict: "job \(id) kept changing while it was being \(suspended ? "suspended" : "resumed"); try again")
        }
    }

    /// The bytes of `spec` for `id`'s record.
    static func serialized(_ spec: Etcron_V1_JobSpec, _ id: JobID) throws(JobStoreError) -> Data {
        do {
            return try spec.serializedBytes()
        } catch {
            throw JobStoreError(.invalid, "job \(id): cannot be serialized (\(error))")
        }
    }
}
