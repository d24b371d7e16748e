import EtcdProto
import GRPCBridge
import Logging
import SwiftProtobuf

/// Keeps many leases alive over one bidirectional LeaseKeepAlive stream, reopening it
/// when it breaks (member failover) and reporting when a lease is lost.
///
/// Each lease is renewed a third of its TTL after its last renewal (again every 500 ms
/// while unanswered). A lease is declared lost when etcd answers TTL <= 0, or when its
/// TTL runs out locally without a renewal: the client cannot tell whether etcd still holds
/// it, so it assumes the worst. The stream is opened with `hasleader: true`: etcd ends it
/// when the member loses quorum, and every holder hears `.noLeader`.
actor LeaseKeepAliveManager {
    private struct Entry {
        var ttl: Int64
        var nextSend: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant
        var continuation: AsyncStream<LeaseKeepAliveEvent>.Continuation
    }

    private let client: EtcdClient
    private var entries: [Int64: Entry] = [:]
    private var runner: Task<Void, Never>?
    private var watchdog: Task<Void, Never>?
    private var stream: GRPCStream?
    private var closed = false
    private let retry = Duration.milliseconds(500)

    init(client: EtcdClient) {
        self.client = client
    }

    func register(_ id: Int64, ttl: Int64) -> LeaseKeepAlive {
        let (events, continuation) = AsyncStream.makeStream(of: LeaseKeepAliveEvent.self, bufferingPolicy: .bufferingNewest(32))
        if closed {
            continuation.yield(.lost(reason: "the etcd client is closed"))
            continuation.finish()
            return LeaseKeepAlive(id: id, events: events, manager: self)
        }
        entries[id]?.continuation.finish()
        let now = ContinuousClock.now
        entries[id] = Entry(
            ttl: ttl, nextSend: now + Self.renewInterval(ttl), deadline: now + .seconds(ttl), continuation: continuation)
        startIfNeeded()
        return LeaseKeepAlive(id: id, events: events, manager: self)
    }

    func unregister(_ id: Int64) {
        entries.removeValue(forKey: id)?.continuation.finish()
    }

    /// Sends no renewal for `id` until `until`, and does not expire it locally before then
    /// either: the holder acts as if its process were paused. Afterwards renewals resume at
    /// once; etcd says whether the lease outlived the pause.
    func pause(_ id: Int64, until: ContinuousClock.Instant) {
        guard let entry = entries[id] else { return }
        entries[id]?.nextSend = until
        entries[id]?.deadline = max(entry.deadline, until + retry * 2)
    }

    func remaining(_ id: Int64) -> Duration? {
        entries[id].map { $0.deadline - .now }
    }

    func shutdown() {
        closed = true
        runner?.cancel()
        watchdog?.cancel()
        stream?.cancel()
        for entry in entries.values {
            entry.continuation.yield(.lost(reason: "the etcd client is closed"))
            entry.continuation.finish()
        }
        entries.removeAll()
    }

    private static func renewInterval(_ ttl: Int64) -> Duration {
        max(.milliseconds(100), .milliseconds(ttl * 1000 / 3))
    }

    private func startIfNeeded() {
        guard runner == nil else { return }
        runner = Task { await self.run() }
        watchdog = Task { await self.expireLoop() }
    }

    // MARK: - The stream

    private func run() async {
        var failures = 0
        while !Task.isCancelled && !closed {
            do {
                try await client.ensureAuthenticated()
                let stream = try client.channel.openStream(
                    path: EtcdMethod.leaseKeepAlive.rawValue, metadata: client.metadata([("hasleader", "true")]))
                self.stream = stream
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.receiveLoop(stream) }
                    group.addTask { try await self.sendLoop(stream) }
                    try await group.next()
                    group.cancelAll()
                }
            } catch {
                let mapped = (error as? GRPCStatus).map { EtcdError.from($0, method: "LeaseKeepAlive") } ?? (error as? EtcdError)
                if mapped?.code == .noLeader {
                    client.logger.warning("etcd member has no leader; lease renewals paused")
                    broadcast(.noLeader)
                } else if !Task.isCancelled {
                    client.logger.debug("lease keep-alive stream broke; reopening", metadata: ["error": "\(error)"])
                }
                if mapped?.code == .invalidAuthToken { _ = try? await client.refreshToken() }
            }
            stream?.cancel()
            stream = nil
            failures += 1
            let delay = min(1000, 50 * (1 << min(failures, 5)))
            try? await Task.sleep(for: .milliseconds(delay))
        }
    }

    private func receiveLoop(_ stream: GRPCStream) async throws {
        while let bytes = try await stream.receive() {
            let response = try Etcdserverpb_LeaseKeepAliveResponse(serializedBytes: bytes)
            renewed(response.id, ttl: response.ttl)
        }
        throw GRPCStatus(code: .unavailable, message: "LeaseKeepAlive stream ended")
    }

    private func sendLoop(_ stream: GRPCStream) async throws {
        while !Task.isCancelled {
            for id in due() {
                var request = Etcdserverpb_LeaseKeepAliveRequest()
                request.id = id
                try await stream.send(try request.serializedBytes())
            }
            try await Task.sleep(until: nextWake(), clock: .continuous)
        }
    }

    /// Leases to renew now; each is re-sent after `retry` if no answer comes.
    private func due() -> [Int64] {
        let now = ContinuousClock.now
        var ids: [Int64] = []
        for (id, entry) in entries where entry.nextSend <= now {
            entries[id]?.nextSend = now + retry
            ids.append(id)
        }
        return ids
    }

    private func nextWake() -> ContinuousClock.Instant {
        let cap = ContinuousClock.now + .seconds(1)
        return entries.values.map(\.nextSend).min().map { min($0, cap) } ?? cap
    }

    private func renewed(_ id: Int64, ttl: Int64) {
        guard let entry = entries[id] else { return }
        if ttl <= 0 {
            entries.removeValue(forKey: id)
            entry.continuation.yield(.lost(reason: "etcd reports lease \(id) expired or revoked"))
            entry.continuation.finish()
            return
        }
        let now = ContinuousClock.now
        entries[id]?.ttl = ttl
        entries[id]?.nextSend = now + Self.renewInterval(ttl)
        entries[id]?.deadline = now + .seconds(ttl)
        entry.continuation.yield(.renewed(ttl: ttl))
    }

    private func broadcast(_ event: LeaseKeepAliveEvent) {
        for entry in entries.values {
            entry.continuation.yield(event)
        }
    }

    // MARK: - Local expiry

    private func expireLoop() async {
        while !Task.isCancelled && !closed {
            expireOverdue()
            let cap = ContinuousClock.now + .seconds(1)
            let next = entries.values.map(\.deadline).min().map { min($0, cap) } ?? cap
            try? await Task.sleep(until: next, clock: .continuous)
        }
    }

    private func expireOverdue() {
        let now = ContinuousClock.now
        for (id, entry) in entries where entry.deadline <= now {
            entries.removeValue(forKey: id)
            entry.continuation.yield(.lost(reason: "lease \(id) was not renewed within its TTL of \(entry.ttl) s"))
            entry.continuation.finish()
        }
    }
}
