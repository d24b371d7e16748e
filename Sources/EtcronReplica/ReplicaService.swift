import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SwiftProtobuf
import Synchronization

/// One etcron replica's life in the group: hold an etcd session, record membership,
/// campaign, and run the leader-only work while (and only while) leading.
///
/// Leadership ends at once, cancelling the leader work, when the session lease is lost, the
/// keep-alive stream reports that etcd has no leader, a fenced write fails, the election key
/// disappears, or shutdown begins. The replica then stays up as a follower and campaigns
/// again. It never exits because etcd is away: it logs what it waits for and retries with
/// backoff. On graceful shutdown (SIGTERM) it resigns first, so the next replica takes over
/// at once, then revokes its session.
///
/// With gameday actions enabled it also acts on the drills addressed to it
/// (``GamedayActionWatch``): it resigns (step down), stops renewing its lease and acting for
/// a while as if paused (freeze, through ``FreezeGate``), or drops its session without
/// revoking it, as if killed, and starts a new one (crash).
public final class ReplicaService: Service {
    private let client: EtcdClient
    private let options: ReplicaOptions
    private let state: ReplicaState
    private let logger: Logger
    private let metrics = ReplicaMetrics()
    private let startedAt = Date()
    private let current = Mutex<(session: EtcdSession, election: Election)?>(nil)
    private let freezeGate = FreezeGate()
    private let stepDownSignal = GamedaySignal()
    private let crashSignal = GamedaySignal()

    /// A replica using `client`, publishing what it does to `state`.
    public init(client: EtcdClient, options: ReplicaOptions, state: ReplicaState, logger: Logger) {
        self.client = client
        self.options = options
        self.state = state
        var logger = logger
        logger[metadataKey: "replica"] = "\(options.replicaID)"
        self.logger = logger
    }

    public func run() async throws {
        metrics.leader.record(0)
        let fatal = await cancelWhenGracefulShutdown { [self] () async -> ReplicaFatalError? in
            var backoff = Backoff()
            while !Task.isCancelled {
                do {
                    let session = try await connect(&backoff)
                    backoff.reset()
                    try await serve(session)
                } catch let error as ReplicaFatalError {
                    return error
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("replica lost its etcd session; starting a new one", metadata: ["error": "\(error)"])
                    metrics.sessionsLost.increment()
                    state.update {
                        $0.role = .starting
                        $0.leaseID = 0
                        $0.fencingToken = 0
                        $0.notReadyReason = "etcd session lost; reconnecting"
                    }
                    await freezeGate.wait()
                    try? await Task.sleep(for: backoff.next())
                }
            }
            return nil
        }
        await stop()
        if let fatal { throw fatal }
    }

    /// Creates a session, waiting (with backoff, logging what it waits for) while etcd is
    /// unreachable.
    private func connect(_ backoff: inout Backoff) async throws -> EtcdSession {
        while true {
            try Task.checkCancellation()
            state.update { state in
                if state.notReadyReason == "starting" || state.notReadyReason == nil {
                    state.notReadyReason = "waiting for etcd at \(client.endpointDescription)"
                }
            }
            do {
                let session = try await EtcdSession.create(client: client, ttl: options.leaseTTL)
                logger.info("etcd session established", metadata: ["lease": "\(session.leaseID)", "ttl": "\(session.ttl)"])
                return session
            } catch where error.code == .authenticationFailed {
                throw ReplicaFatalError(message: "etcd-username/etcd-password: \(error.message)")
            } catch {
                let delay = backoff.next()
                let reason = "waiting for etcd at \(client.endpointDescription): \(error.message)"
                state.update { $0.notReadyReason = reason }
                logger.warning("waiting for etcd", metadata: [
                    "endpoints": "\(client.endpointDescription)", "error": "\(error)", "retry_in": "\(delay)",
                ])
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Serves one session until it is lost (throws) or the task is cancelled.
    private func serve(_ session: EtcdSession) async throws {
        let line = Severance()
        let election = Election(session: session, prefix: options.keys.election)
        // Kept after this returns: on graceful shutdown `stop()` resigns and revokes it
        // outside the cancelled task (a cancelled task's etcd calls are cancelled too).
        current.withLock { $0 = (session, election) }
        state.update {
            $0.role = .follower
            $0.leaseID = session.leaseID
            $0.notReadyReason = nil
        }
        let membership = MembershipRecorder(
            client: client, session: session, options: options, startedAt: startedAt, gate: freezeGate, line: line, logger: logger)
        let frozen = drillable(line)
        let interval = max(Duration.seconds(1), .milliseconds(session.ttl * 1000 / 3))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await membership.run(every: interval) }
            group.addTask { try await self.campaignLoop(session, election, membership, line) }
            group.addTask {
                let end = try await session.done()
                await self.freezeGate.wait()
                throw EtcdError(.sessionLost, "session lease \(session.leaseID) ended: \(end)")
            }
            if options.gamedayActions {
                let revision = try await gamedayRevision()
                group.addTask { try await self.followGamedayActions(session, after: revision) }
                group.addTask {
                    try await self.crashSignal.wait()
                    line.sever()
                    await session.abandon()
                    throw EtcdError(.sessionLost, "session lease \(session.leaseID) dropped for a gameday crash; it expires after its TTL")
                }
            }
            group.addTask { try await self.reportLeaseRemaining(session) }
            for work in options.sessionWork {
                group.addTask {
                    try await work.run(client: frozen, leaseID: session.leaseID, replicaID: self.options.replicaID, keys: self.options.keys)
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func reportLeaseRemaining(_ session: EtcdSession) async throws {
        while true {
            if let remaining = await session.remaining() {
                metrics.leaseRemaining.record(Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18)
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// Campaigns, leads until leadership ends, and campaigns again; throws when the session
    /// is lost.
    private func campaignLoop(_ session: EtcdSession, _ election: Election, _ membership: MembershipRecorder, _ line: Severance) async throws {
        var candidate = Etcron_V1_Candidate()
        candidate.replicaID = options.replicaID
        candidate.address = options.address
        candidate.campaignStartedAtUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
        let value: Data = try candidate.serializedData()
        var backoff = Backoff()
        while true {
            await freezeGate.wait()
            try Task.checkCancellation()
            let won: LeaderKey
            do {
                won = try await election.campaign(value: value)
            } catch let error where error.code == .sessionLost || error.code == .leaseNotFound {
                throw error
            } catch let error where error.code == .cancelled {
                throw CancellationError()
            } catch {
                let delay = backoff.next()
                logger.warning("campaign failed; retrying", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try await Task.sleep(for: delay)
                continue
            }
            backoff.reset()
            let reason = await lead(won, session, membership, line)
            try Task.checkCancellation()
            if reason.resign {
                try? await election.resign()
            }
        }
    }

    private struct Ending: Sendable {
        var reason: String
        var resign: Bool
    }

    /// Runs the leader work until leadership ends; returns why.
    private func lead(_ won: LeaderKey, _ session: EtcdSession, _ membership: MembershipRecorder, _ line: Severance) async -> Ending {
        var logger = self.logger
        logger[metadataKey: "token"] = "\(won.createRevision)"
        let leadership = Leadership(
            client: drillable(line), fence: won.fence, replicaID: options.replicaID, keys: options.keys,
            termStarted: Date(), logger: logger)
        state.update {
            $0.role = .leader
            $0.fencingToken = won.createRevision
            $0.leaderID = options.replicaID
        }
        metrics.leading(true)
        logger.notice("became leader", metadata: ["fencing_token": "\(won.createRevision)"])
        try? await membership.write(role: .leader)
        let work = CombinedLeaderWork([HeartbeatWork()] + (options.leaderWork.map { [$0] } ?? []))
        let client = self.client
        let gate = freezeGate
        let ending = await withTaskGroup(of: Ending.self) { group in
            group.addTask {
                do {
                    try await work.run(leadership)
                    return Ending(reason: "the leader work returned", resign: true)
                } catch let lost as LeadershipLost {
                    return Ending(reason: lost.reason, resign: false)
                } catch is CancellationError {
                    return Ending(reason: "cancelled", resign: false)
                } catch {
                    return Ending(reason: "the leader work failed: \(error)", resign: true)
                }
            }
            group.addTask {
                for await event in session.events() {
                    switch event {
                    case .noLeader:
                        await gate.wait()
                        return Ending(reason: "etcd reports no leader (quorum lost)", resign: false)
                    case .ended(let end):
                        await gate.wait()
                        return Ending(reason: "session ended (\(end))", resign: false)
                    case .renewed: continue
                    }
                }
                return Ending(reason: "session ended", resign: false)
            }
            group.addTask {
                do {
                    try await Self.waitForDeletion(client: client, of: won)
                    await gate.wait()
                    return Ending(reason: "our election key was deleted", resign: false)
                } catch {
                    return Ending(reason: "cancelled", resign: false)
                }
            }
            if options.gamedayActions {
                group.addTask { [stepDownSignal] in
                    do {
                        try await stepDownSignal.wait()
                        return Ending(reason: "stepped down for a gameday action", resign: true)
                    } catch {
                        return Ending(reason: "cancelled", resign: false)
                    }
                }
            }
            let first = await group.next() ?? Ending(reason: "cancelled", resign: false)
            group.cancelAll()
            return first
        }
        state.update {
            $0.role = Task.isCancelled ? .stopping : .follower
            $0.fencingToken = 0
            $0.leaderID = nil
        }
        metrics.leading(false)
        logger.warning("stopped leading", metadata: ["reason": "\(ending.reason)"])
        try? await membership.write(role: .follower)
        return ending
    }

    /// The client the session's work and the leader use: one a gameday freeze or crash
    /// can stop when gameday actions are enabled, else the client itself (no cost on every
    /// call of an install that cannot be drilled).
    private func drillable(_ line: Severance) -> any EtcdKV {
        options.gamedayActions ? FrozenKV(base: client, gate: freezeGate, line: line) : client
    }

    /// Acts on the gameday actions addressed to this replica for as long as `session` serves;
    /// a broken watch is resumed, never the end of the session.
    private func followGamedayActions(_ session: EtcdSession, after revision: Int64) async throws {
        let actions = GamedayActionWatch.Actions(
            stepDown: { [stepDownSignal] in stepDownSignal.fire() },
            freeze: { [freezeGate] duration in
                let until = ContinuousClock.now + duration
                freezeGate.freeze(until: until)
                await session.pauseRenewals(until: until)
            },
            crash: { [crashSignal] in crashSignal.fire() })
        let watch = GamedayActionWatch(
            client: client, keys: options.keys, replicaID: options.replicaID, state: state, actions: actions, logger: logger)
        var from = revision
        var backoff = Backoff()
        while true {
            do {
                try await watch.run(after: from)
            } catch let error as EtcdError where error.code != .cancelled {
                // Resumed after what it missed: the actions recorded since the session
                // began that are still unacted are acted on first, never skipped.
                logger.warning("gameday actions' watch broke; acting on what it missed, then resuming", metadata: ["error": "\(error)"])
                from = (try? await watch.catchUp(since: revision)) ?? from
            }
            try Task.checkCancellation()
            try await Task.sleep(for: backoff.next())
        }
    }

    /// The current revision, read where gameday actions live.
    private func gamedayRevision() async throws -> Int64 {
        var options = RangeOptions()
        options.limit = 1
        options.keysOnly = true
        return try await client.range(.prefix(self.options.keys.gamedayActions), options: options).header.revision
    }

    /// Returns when `key` no longer exists with its create revision.
    private static func waitForDeletion(client: EtcdClient, of key: LeaderKey) async throws {
        while true {
            let read = try await client.range(.key(key.key))
            guard let kv = read.kvs.first, kv.createRevision == key.createRevision else { return }
            do {
                for try await response in client.watch(.key(key.key), options: WatchOptions(startRevision: read.header.revision + 1)) {
                    if response.events.contains(where: { $0.kind == .delete }) { return }
                }
            } catch let error as EtcdError where error.code == .compacted {
                continue
            }
            try Task.checkCancellation()
        }
    }

    /// Graceful stop: resign (the successor takes over now, not after the TTL), then revoke
    /// the session, which deletes the membership record.
    private func stop() async {
        state.update {
            $0.role = .stopping
            $0.notReadyReason = "shutting down"
        }
        guard let (session, election) = current.withLock({ $0 }) else { return }
        if election.leadership != nil {
            do {
                try await election.resign()
                logger.notice("resigned leadership for shutdown")
            } catch {
                logger.warning("could not resign; the successor waits for the lease TTL", metadata: ["error": "\(error)"])
            }
        }
        await session.close()
    }
}
