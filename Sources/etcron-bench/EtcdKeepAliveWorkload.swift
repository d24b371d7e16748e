import EtcdClient
import Foundation
import Synchronization

/// Lease keep-alive throughput, measured two ways:
///
/// - `stream`: keep-alive messages round-tripped per second over one LeaseKeepAlive
///   stream, pipelined with a bounded window (the package-level
///   `EtcdClient.keepAliveRoundTrips`, since the public API renews on a TTL cadence);
/// - `public_api`: renewals per second that `EtcdClient.keepAlive` delivers for many
///   short leases at once over the client's shared stream. This is bounded by the
///   leases' cadence (three renewals per TTL), so it shows whether the manager keeps up
///   with that demand (with no lease lost), not the stream's ceiling.
struct EtcdKeepAliveWorkload: Sendable {
    let client: EtcdClient
    let figures: EtcdFigures

    func stream(messages: Int, window: Int) async throws {
        figures.progress("\(messages) keep-alives over one stream, \(window) unanswered at most")
        let lease = try await client.leaseGrant(ttl: 60)
        _ = try await client.keepAliveRoundTrips(lease: lease.id, count: min(messages, 1_000), window: window)
        let cpuBefore = processCPUTime()
        let elapsed = try await client.keepAliveRoundTrips(lease: lease.id, count: messages, window: window)
        let cpu = processCPUTime() - cpuBefore
        figures.rate("etcd.keepalive.stream", messages, in: elapsed, "keepalives/s")
        figures.cpuPerOperation("etcd.keepalive.stream.client_cpu", cpu, operations: messages, "us/keepalive")
        try await client.leaseRevoke(lease.id)
    }

    func publicAPI(leases count: Int, ttl: Int64, duration: Duration) async throws {
        figures.progress("\(count) leases of \(ttl) s kept alive through EtcdClient.keepAlive for \(duration)")
        let client = self.client
        let ids = try await inFlightResults(Array(0..<count), width: 64) { _ in
            try await client.leaseGrant(ttl: ttl).id
        }
        let renewals = Counters()
        var registered: [LeaseKeepAlive] = []
        for id in ids {
            registered.append(await client.keepAlive(id, ttl: ttl))
        }
        let handles = registered
        let consumers = Task {
            await withTaskGroup(of: Void.self) { group in
                for handle in handles {
                    group.addTask {
                        for await event in handle.events {
                            switch event {
                            case .renewed: renewals.renewed.add(1, ordering: .relaxed)
                            case .noLeader: break
                            case .lost: renewals.lost.add(1, ordering: .relaxed)
                            }
                        }
                    }
                }
            }
        }
        // Skip the first TTL: every lease's first renewal is due a third of it after
        // registration, all at once.
        try await Task.sleep(for: .seconds(ttl))
        let first = renewals.renewed.load(ordering: .relaxed)
        let elapsed = try await timed { try await Task.sleep(for: duration) }
        let renewed = renewals.renewed.load(ordering: .relaxed) - first
        for handle in handles {
            await handle.stop()
        }
        await consumers.value
        figures.rate("etcd.keepalive.public_api", renewed, in: elapsed, "renewals/s")
        figures.figure("etcd.keepalive.public_api.demand", "\(Int(Double(count) * 3 / Double(ttl)))", "renewals/s")
        figures.figure("etcd.keepalive.public_api.lost", "\(renewals.lost.load(ordering: .relaxed))", "leases")
    }
}

/// Event counts shared by the consumer tasks.
private final class Counters: Sendable {
    let renewed = Atomic<Int>(0)
    let lost = Atomic<Int>(0)
}
