import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import SwiftProtobuf

/// The jobs `etcron-bench scheduler` registers: specs written straight into etcd in
/// transactions (as many `etcron apply`s would leave them), spread over tenants.
struct SchedulerBenchJobs: Sendable {
    let client: EtcdClient
    let keys: JobKeys
    let tenants: Int

    /// The tenant of job number `index`.
    func tenant(_ index: Int) -> String { "tenant-\(index % max(tenants, 1))" }

    /// The name of job number `index`.
    static func name(_ index: Int) -> String { "job-\(index)" }

    /// A valid exec job with `schedule`, created `createdAt`.
    func spec(_ index: Int, schedule: String, createdAt: Date) -> Etcron_V1_JobSpec {
        var spec = Etcron_V1_JobSpec()
        spec.tenant = tenant(index)
        spec.name = Self.name(index)
        spec.schedule = schedule
        spec.concurrencyPolicy = .forbid
        spec.startingDeadlineSeconds = 60
        spec.createdAtUnixMs = Int64(createdAt.timeIntervalSince1970 * 1000)
        spec.target.exec.command = "/bin/true"
        spec.owner = "bench"
        return spec
    }

    /// Writes the specs of jobs `range`, each with the schedule `schedule(index)`, in
    /// Txns of 128 puts with 4 in flight.
    func register(_ range: Range<Int>, createdAt: Date, schedule: @Sendable (Int) -> String) async throws {
        let batches = try stride(from: range.lowerBound, to: range.upperBound, by: 128).map { first in
            Txn(success: try (first..<min(first + 128, range.upperBound)).map { index in
                let spec = spec(index, schedule: schedule(index), createdAt: createdAt)
                return TxnOperation.put(keys.spec(spec.tenant, spec.name), try spec.serializedData())
            })
        }
        let client = self.client
        try await inFlight(batches, width: 4) { txn in
            _ = try await client.txn(txn)
        }
        // The tenant index, as the job store adds to it when it creates a tenant's first job.
        let tenants = Set(range.map { spec($0, schedule: "", createdAt: createdAt).tenant }).sorted()
        for first in stride(from: 0, to: tenants.count, by: 128) {
            _ = try await client.txn(Txn(success: tenants[first..<min(first + 128, tenants.count)].map { .put(keys.tenantIndex($0), Data()) }))
        }
    }
}
