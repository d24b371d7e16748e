import EtcdClient
import EtcdTestHarness
import Foundation
import Testing

extension ClientSuites {
    @Suite("leases")
    struct LeaseTests {
        @Test("an expired lease deletes the keys attached to it")
        func expiry() async throws {
            try await withClient { _, client in
                let lease = try await client.leaseGrant(ttl: 1)
                try await client.put("/leased", value: "x", lease: lease.id)
                let alive = try await client.leaseTimeToLive(lease.id, keys: true)
                #expect(alive.keys == ["/leased"])
                #expect(alive.grantedTTL == lease.ttl)
                #expect(try await client.leases().contains(lease.id))
                try await within(.seconds(10), "lease expiry") {
                    while try await client.get("/leased") != nil {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                #expect(try await client.leaseTimeToLive(lease.id).ttl == -1)
                await expectEtcdError(.leaseNotFound) { try await client.leaseRevoke(lease.id) }
            }
        }

        @Test("keep-alive holds a lease past its TTL, and revoke deletes its keys at once")
        func keepAliveAndRevoke() async throws {
            try await withClient { _, client in
                let lease = try await client.leaseGrant(ttl: 1)
                try await client.put("/kept", value: "x", lease: lease.id)
                let keepAlive = await client.keepAlive(lease.id, ttl: lease.ttl)
                try await Task.sleep(for: .seconds(3))
                #expect(try await client.get("/kept") != nil)
                // TimeToLive rounds down to whole seconds: 0 is alive, -1 is gone.
                #expect(try await client.leaseTimeToLive(lease.id).ttl >= 0)
                #expect(await keepAlive.remaining() != nil)
                try await client.leaseRevoke(lease.id)
                #expect(try await client.get("/kept") == nil)
                let lost = try await within(.seconds(5), "loss notice") {
                    for await event in keepAlive.events {
                        if case .lost(let reason) = event { return reason }
                    }
                    return "events ended without a loss"
                }
                #expect(lost.contains("expired or revoked"), "\(lost)")
            }
        }

        @Test("keep-alive survives every member of a 3-member cluster being SIGKILLed in turn")
        func keepAliveFailover() async throws {
            try await withEtcd(members: 3) { cluster in
                let client = try makeClient(cluster)
                let lease = try await client.leaseGrant(ttl: 4)
                try await client.put("/session", value: "x", lease: lease.id)
                let keepAlive = await client.keepAlive(lease.id, ttl: lease.ttl)
                for member in 0..<3 {
                    try await cluster.kill(member)
                    try await Task.sleep(for: .seconds(1))
                    try await cluster.restart(member)
                }
                try await Task.sleep(for: .seconds(1))
                #expect(try await client.leaseTimeToLive(lease.id).ttl > 0)
                #expect(try await client.get("/session") != nil)
                #expect(await keepAlive.remaining() != nil, "the keep-alive reported the lease lost")
                await keepAlive.stop()
                await client.close()
            }
        }
    }
}
