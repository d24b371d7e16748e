import Logging
import Synchronization

/// A lease kept alive for as long as this process is healthy, as in etcd's Go
/// `concurrency.Session`: membership records and election keys hang off it, so they vanish
/// when the process dies or loses etcd for longer than the TTL.
///
/// `done()` returns when the session is lost (lease expired or revoked, or the session was
/// closed); `events` also reports etcd quorum loss (`.noLeader`) as soon as the keep-alive
/// stream sees it, which is the signal to stop acting as a leader.
public final class EtcdSession: Sendable {
    /// Why a session ended.
    public enum End: Sendable, Hashable {
        /// The lease expired or was revoked (the reason says which, as far as known).
        case lost(String)
        /// `close()` was called.
        case closed
    }

    /// Something that happened to the session.
    public enum Event: Sendable, Hashable {
        /// The lease was renewed to `ttl` seconds.
        case renewed(ttl: Int64)
        /// etcd reported quorum loss; the lease may expire.
        case noLeader
        /// The session ended.
        case ended(End)
    }

    /// The client the session uses.
    public let client: EtcdClient
    /// The session's lease.
    public let leaseID: Int64
    /// The TTL granted, in seconds.
    public let ttl: Int64
    private let keepAlive: LeaseKeepAlive
    private let state = Mutex(State())
    private let pump: Mutex<Task<Void, Never>?> = Mutex(nil)

    private struct State {
        var end: End?
        var waiters: [Int: CheckedContinuation<End, any Error>] = [:]
        var nextWaiter = 0
        var observers: [Int: AsyncStream<Event>.Continuation] = [:]
        var nextObserver = 0
    }

    /// Grants a lease of `ttl` seconds (or adopts `leaseID` if given and alive) and keeps it
    /// alive.
    public static func create(client: EtcdClient, ttl: Int64 = 10, leaseID: Int64 = 0) async throws(EtcdError) -> EtcdSession {
        let grant: LeaseGrant
        if leaseID != 0 {
            let existing = try await client.leaseTimeToLive(leaseID)
            guard existing.ttl > 0 else {
                throw EtcdError(.leaseNotFound, "session lease \(leaseID) does not exist any more")
            }
            grant = LeaseGrant(id: leaseID, ttl: existing.grantedTTL)
        } else {
            grant = try await client.leaseGrant(ttl: ttl)
        }
        let keepAlive = await client.keepAlive(grant.id, ttl: grant.ttl)
        return EtcdSession(client: client, leaseID: grant.id, ttl: grant.ttl, keepAlive: keepAlive)
    }

    private init(client: EtcdClient, leaseID: Int64, ttl: Int64, keepAlive: LeaseKeepAlive) {
        self.client = client
        self.leaseID = leaseID
        self.ttl = ttl
        self.keepAlive = keepAlive
        let events = keepAlive.events
        let task = Task { [weak self] in
            for await event in events {
                switch event {
                case .renewed(let ttl): self?.publish(.renewed(ttl: ttl))
                case .noLeader: self?.publish(.noLeader)
                case .lost(let reason): self?.end(.lost(reason))
                }
            }
            self?.end(.lost("the keep-alive stream ended"))
        }
        pump.withLock { $0 = task }
    }

    /// Whether the session still holds its lease, as far as this process knows.
    public var isAlive: Bool { state.withLock { $0.end == nil } }

    /// Time until the lease expires unless renewed; nil once lost.
    public func remaining() async -> Duration? {
        isAlive ? await keepAlive.remaining() : nil
    }

    /// Waits until the session ends and says why.
    /// - Throws: `CancellationError` if the waiting task is cancelled first.
    public func done() async throws -> End {
        let id = state.withLock { state -> Int in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let end = state.withLock { state -> End? in
                    if let end = state.end { return end }
                    if Task.isCancelled { return nil }
                    state.waiters[id] = continuation
                    return nil
                }
                if let end {
                    continuation.resume(returning: end)
                } else if Task.isCancelled, state.withLock({ $0.waiters[id] == nil }) {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// A new stream of the session's events, ending after `.ended`.
    public func events() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(32))
        let ended = state.withLock { state -> End? in
            if let end = state.end { return end }
            let id = state.nextObserver
            state.nextObserver += 1
            state.observers[id] = continuation
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.observers.removeValue(forKey: id) }
            }
            return nil
        }
        if let ended {
            continuation.yield(.ended(ended))
            continuation.finish()
        }
        return stream
    }

    /// Ends the session: stops renewing and revokes the lease, deleting every key attached
    /// to it (election keys included), so successors need not wait for the TTL.
    public func close() async {
        guard isAlive else { return }
        end(.closed)
        await keepAlive.stop()
        do {
            try await client.leaseRevoke(leaseID, timeout: .seconds(2))
        } catch {
            client.logger.warning("could not revoke session lease; it expires after its TTL", metadata: [
                "lease": "\(leaseID)", "error": "\(error)",
            ])
        }
    }

    /// Stops renewing the lease until `until`, as a paused process would (failure drills):
    /// nothing is declared lost locally before then; afterwards renewals resume, and the
    /// session ends if the lease expired meanwhile.
    public func pauseRenewals(until: ContinuousClock.Instant) async {
        guard isAlive else { return }
        await keepAlive.pause(until: until)
    }

    /// Ends the session as a killed process would (failure drills): stops renewing without
    /// revoking, so the lease and every key attached to it live until the TTL runs out.
    public func abandon() async {
        guard isAlive else { return }
        end(.lost("abandoned: the lease is left to expire"))
        await keepAlive.stop()
    }

    private func publish(_ event: Event) {
        let observers = state.withLock { Array($0.observers.values) }
        observers.forEach { $0.yield(event) }
    }

    private func end(_ end: End) {
        let (waiters, observers) = state.withLock { state -> ([CheckedContinuation<End, any Error>], [AsyncStream<Event>.Continuation]) in
            guard state.end == nil else { return ([], []) }
            state.end = end
            defer {
                state.waiters = [:]
                state.observers = [:]
            }
            return (Array(state.waiters.values), Array(state.observers.values))
        }
        if case .lost(let reason) = end, !waiters.isEmpty || !observers.isEmpty {
            client.logger.warning("etcd session lost", metadata: ["lease": "\(leaseID)", "reason": "\(reason)"])
        }
        waiters.forEach { $0.resume(returning: end) }
        for observer in observers {
            observer.yield(.ended(end))
            observer.finish()
        }
    }

    deinit {
        pump.withLock { $0?.cancel() }
    }
}
