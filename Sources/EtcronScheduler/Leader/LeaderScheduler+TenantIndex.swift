import EtcdClient
import EtcronCore
import Foundation
import Logging

extension LeaderScheduler {
    /// Adds the tenants of the loaded jobs that the tenant index lacks (jobs written
    /// before the index existed, or straight into etcd), in fenced Txns of 100 puts: the
    /// store adds a tenant when it creates its first job, and listings of every tenant
    /// read the index (`JobStore.page`).
    func fillTenantIndex(_ tenants: Set<String>) async throws {
        var indexed = Set<String>()
        let prefix = keys.tenantIndex
        try await client.rangePaged(.prefix(prefix), keysOnly: true) { kvs in
            indexed.formUnion(kvs.map { String($0.keyString.dropFirst(prefix.count)) })
        }
        let missing = tenants.subtracting(indexed).sorted()
        for start in stride(from: 0, to: missing.count, by: 100) {
            let chunk = missing[start..<min(start + 100, missing.count)]
            _ = try await leadership.commit(Txn(success: chunk.map { .put(keys.tenantIndex($0), Data()) }))
        }
        if !missing.isEmpty {
            logger.info("tenant index filled in", metadata: ["tenants": "\(missing.count)"])
        }
    }
}
