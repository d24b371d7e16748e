import EtcronCore
import EtcronProto

/// Reads what `etcron audit` checks, job by job, through a `JobService` (the API or
/// etcd): a page of jobs at a time, each job's status, its decisions from the newest back
/// to the window's start, and its kept runs; each job is audited and only the summary
/// kept, so memory does not grow with the number of jobs or records.
struct AuditRun {
    let service: any JobService
    let from: Int64
    let to: Int64
    let now: Int64
    let sloMs: Int64
    /// Reports progress (jobs done) now and then; nil: quiet.
    var progress: ((Int) -> Void)?

    static let jobPage = 100
    static let recordPage = 1000

    /// Audits `job` (`tenant/name`), or every job of `tenant`, or every job the
    /// connection sees.
    func audit(tenant: String?, job: String?) async throws(JobStoreError) -> AuditSummary {
        var summary = AuditSummary(from: from, to: to, objectiveMs: sloMs)
        if let tenant, let job {
            guard let stored = try await service.get(tenant: tenant, name: job) else {
                throw JobStoreError(.notFound, "job \(tenant)/\(job) not found")
            }
            summary.add(try await JobReader(service: service, from: from, to: to, now: now, sloMs: sloMs).audit(stored.spec))
            return summary
        }
        var token: String?
        repeat {
            let (page, next) = try await service.jobPage(tenant: tenant, limit: Self.jobPage, continue: token)
            summary.corruptRecords += page.corrupt.count
            for audit in try await audits(page.jobs.map(\.spec)) { summary.add(audit) }
            progress?(summary.jobs)
            token = next
        } while token != nil
        return summary
    }

    /// The audits of `specs`, in their order, ``concurrency`` jobs at a time.
    private func audits(_ specs: [Etcron_V1_JobSpec]) async throws(JobStoreError) -> [JobAudit] {
        do {
            return try await withThrowingTaskGroup(of: (Int, JobAudit).self) { group in
                var results: [JobAudit?] = Array(repeating: nil, count: specs.count)
                var next = 0
                func launch() {
                    guard next < specs.count else { return }
                    let (index, spec) = (next, specs[next])
                    next += 1
                    let reader = JobReader(service: service, from: from, to: to, now: now, sloMs: sloMs)
                    group.addTask { (index, try await reader.audit(spec)) }
                }
                for _ in 0..<Self.concurrency { launch() }
                while let (index, audit) = try await group.next() {
                    results[index] = audit
                    launch()
                }
                return results.compactMap { $0 }
            }
        } catch let error as JobStoreError {
            throw error
        } catch {
            throw JobStoreError(.refused, "auditing: \(error)")
        }
    }

    /// Jobs read at once.
    static let concurrency = 16
}

/// Reads and audits one job (Sendable: jobs are read concurrently).
struct JobReader: Sendable {
    let service: any JobService
    let from: Int64
    let to: Int64
    let now: Int64
    let sloMs: Int64

    func audit(_ spec: Etcron_V1_JobSpec) async throws(JobStoreError) -> JobAudit {
        let status = try await service.status(tenant: spec.tenant, name: spec.name)
        var decisions: [Etcron_V1_Decision] = []
        var token: String?
        // The leader writes its status with skips and trims, not with every invoke: the
        // newest decision (in time order per job) is as far as it has decided too.
        var decidedThrough = status?.decidedThroughUnix ?? 0
        reading: repeat {
            let (page, next) = try await service.decisionPage(tenant: spec.tenant, name: spec.name, limit: AuditRun.recordPage, continue: token)
            if token == nil, let newest = page.values.first { decidedThrough = max(decidedThrough, newest.scheduledUnix) }
            for decision in page.values {
                // Newest first: once a record (or a range) ends before the window, so do the rest.
                if decision.scheduledUnix <= from { break reading }
                if decision.scheduledUnix <= to || (decision.count > 1 && decision.rangeStartUnix <= to) { decisions.append(decision) }
            }
            token = next
        } while token != nil
        let runs = try await service.runs(tenant: spec.tenant, name: spec.name, limit: JobStore.maximumHistoryLimit).values
            .filter { !$0.manual && $0.scheduledUnix > from && $0.scheduledUnix <= to }
        return JobAudit(
            spec: spec, decisions: decisions, runs: runs, from: from, to: to, decidedThrough: decidedThrough, now: now,
            sloMs: sloMs)
    }
}
