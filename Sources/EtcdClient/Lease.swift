import EtcdProto

/// A granted lease.
public struct LeaseGrant: Sendable, Hashable {
    /// The lease ID (keys are attached to it by this ID).
    public var id: Int64
    /// The TTL etcd granted, in seconds.
    public var ttl: Int64
}

/// A lease's remaining life.
public struct LeaseTimeToLive: Sendable, Hashable {
    /// The lease ID.
    public var id: Int64
    /// Seconds left; -1 when the lease has expired or does not exist.
    public var ttl: Int64
    /// The TTL it was granted with.
    public var grantedTTL: Int64
    /// Keys attached to it, when asked for.
    public var keys: [String]
}

extension EtcdClient {
    /// Grants a lease of `ttl` seconds (etcd may raise it to its minimum); `id` 0 lets etcd
    /// choose the ID.
    public func leaseGrant(ttl: Int64, id: Int64 = 0) async throws(EtcdError) -> LeaseGrant {
        var request = Etcdserverpb_LeaseGrantRequest()
        request.ttl = ttl
        request.id = id
        let response: Etcdserverpb_LeaseGrantResponse = try await call(.leaseGrant, request)
        if !response.error.isEmpty {
            throw EtcdError(.invalidArgument, "LeaseGrant: \(response.error)")
        }
        return LeaseGrant(id: response.id, ttl: response.ttl)
    }

    /// Revokes a lease, deleting every key attached to it.
    public func leaseRevoke(_ id: Int64, timeout: Duration? = nil) async throws(EtcdError) {
        var request = Etcdserverpb_LeaseRevokeRequest()
        request.id = id
        let _: Etcdserverpb_LeaseRevokeResponse = try await call(.leaseRevoke, request, timeout: timeout)
    }

    /// The lease's remaining TTL (and its keys if `keys` is true).
    public func leaseTimeToLive(_ id: Int64, keys: Bool = false) async throws(EtcdError) -> LeaseTimeToLive {
        var request = Etcdserverpb_LeaseTimeToLiveRequest()
        request.id = id
        request.keys = keys
        let response: Etcdserverpb_LeaseTimeToLiveResponse = try await call(.leaseTimeToLive, request)
        return LeaseTimeToLive(
            id: response.id, ttl: response.ttl, grantedTTL: response.grantedTtl,
            keys: response.keys.map { String(decoding: $0, as: UTF8.self) })
    }

    /// The IDs of every lease.
    public func leases() async throws(EtcdError) -> [Int64] {
        let response: Etcdserverpb_LeaseLeasesResponse = try await call(.leaseLeases, Etcdserverpb_LeaseLeasesRequest())
        return response.leases.map(\.id)
    }

    /// Keeps `id` alive over the client's one shared keep-alive stream until the returned
    /// handle is stopped, or the lease is lost. The handle's `events` say when the lease was
    /// renewed, when etcd reported no leader, and when the lease was lost.
    public func keepAlive(_ id: Int64, ttl: Int64) async -> LeaseKeepAlive {
        await keepAliveManager.register(id, ttl: ttl)
    }
}
