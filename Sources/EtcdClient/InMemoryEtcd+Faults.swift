import Synchronization

/// Fault injection: failing calls on purpose, before or after a transaction applies, and
/// holding transactions so that a test decides the order of concurrent ones.
extension InMemoryEtcd {
    /// When an injected fault or a pause strikes a transaction.
    public enum FaultPoint: Sendable, Hashable {
        /// Before the transaction applies: it writes nothing, as if it never reached etcd.
        case beforeApplying
        /// After it applied and watchers received its events: the write landed but the
        /// reply was lost, the case an idempotent retry must survive.
        case afterApplying
    }

    struct TxnFault: Sendable {
        let id: Int
        var remaining: Int
        let error: EtcdError
        let point: FaultPoint
        let predicate: @Sendable (Txn) -> Bool
    }

    struct RangeFault: Sendable {
        let id: Int
        var remaining: Int
        let error: EtcdError
        let predicate: @Sendable (KeyRange) -> Bool
    }

    /// Makes the next `count` transactions that satisfy `predicate` throw `error`, either
    /// before they apply (nothing written) or after (written, reply lost). Faults strike
    /// in the order they were added; each transaction consumes at most one per point.
    /// Refused transactions (too many operations, duplicate keys) consume no
    /// `afterApplying` fault. `predicate` runs outside the store's lock and may read it.
    public func failNextTxns(
        _ count: Int = 1, with error: EtcdError, at point: FaultPoint = .beforeApplying,
        where predicate: @escaping @Sendable (Txn) -> Bool = { _ in true }
    ) {
        guard count > 0 else { return }
        state.withLock { state in
            state.txnFaults.append(TxnFault(id: state.nextFaultID, remaining: count, error: error, point: point, predicate: predicate))
            state.nextFaultID += 1
        }
    }

    /// Makes the next `count` range reads of keys satisfying `predicate` throw `error`.
    public func failNextRanges(_ count: Int = 1, with error: EtcdError, where predicate: @escaping @Sendable (KeyRange) -> Bool = { _ in true }) {
        guard count > 0 else { return }
        state.withLock { state in
            state.rangeFaults.append(RangeFault(id: state.nextFaultID, remaining: count, error: error, predicate: predicate))
            state.nextFaultID += 1
        }
    }

    /// Holds every transaction that satisfies `predicate` and arrives from now on, at
    /// `point`, until the returned gate releases it. A test starts concurrent writers,
    /// waits with ``TxnGate/waitUntilHeld(_:)`` until they are all held, then releases
    /// them one by one in the order it wants. `predicate` runs outside the store's lock.
    public func pauseTxns(at point: FaultPoint = .beforeApplying, where predicate: @escaping @Sendable (Txn) -> Bool = { _ in true }) -> TxnGate {
        let gate = TxnGate(point: point, predicate: predicate)
        state.withLock { $0.gates.append(gate) }
        return gate
    }

    /// Drops every pending fault and opens every gate.
    public func clearFaults() {
        let gates = state.withLock { state in
            state.txnFaults = []
            state.rangeFaults = []
            defer { state.gates = [] }
            return state.gates
        }
        for gate in gates { gate.open() }
    }
}

extension InMemoryEtcd.State {
    /// Consumes the first fault at `point` among those whose predicate matched.
    mutating func takeTxnFault(_ matching: Set<Int>, at point: InMemoryEtcd.FaultPoint) -> EtcdError? {
        guard let index = txnFaults.firstIndex(where: { $0.point == point && matching.contains($0.id) }) else { return nil }
        txnFaults[index].remaining -= 1
        let error = txnFaults[index].error
        if txnFaults[index].remaining <= 0 { txnFaults.remove(at: index) }
        return error
    }

    /// Consumes the first range fault whose predicate matched.
    mutating func takeRangeFault(_ matching: Set<Int>) -> EtcdError? {
        guard let index = rangeFaults.firstIndex(where: { matching.contains($0.id) }) else { return nil }
        rangeFaults[index].remaining -= 1
        let error = rangeFaults[index].error
        if rangeFaults[index].remaining <= 0 { rangeFaults.remove(at: index) }
        return error
    }
}

extension InMemoryEtcd {
    /// Holds the transactions of ``InMemoryEtcd/pauseTxns(at:where:)`` until released. A
    /// held transaction whose task is cancelled throws `EtcdError.cancelled`.
    public final class TxnGate: Sendable {
        /// Where it holds transactions.
        public let point: FaultPoint
        let predicate: @Sendable (Txn) -> Bool
        private let state = Mutex(GateState())

        private struct Held {
            let ticket: Int
            let continuation: CheckedContinuation<Void, any Error>
        }

        private struct Observer {
            let ticket: Int
            let count: Int
            let continuation: CheckedContinuation<Void, Never>
        }

        private struct GateState {
            var isOpen = false
            var held: [Held] = []
            var observers: [Observer] = []
            /// Tickets whose task was cancelled before it got to wait.
            var cancelled: Set<Int> = []
            var nextTicket = 0

            mutating func ticket() -> Int {
                defer { nextTicket += 1 }
                return nextTicket
            }

            /// Takes the observers whose wait is over.
            mutating func satisfiedObservers() -> [CheckedContinuation<Void, Never>] {
                let ready = observers.filter { isOpen || held.count >= $0.count }
                observers.removeAll { isOpen || held.count >= $0.count }
                return ready.map(\.continuation)
            }
        }

        init(point: FaultPoint, predicate: @escaping @Sendable (Txn) -> Bool) {
            self.point = point
            self.predicate = predicate
        }

        /// How many transactions it holds now.
        public var heldCount: Int { state.withLock { $0.held.count } }

        /// Whether it was opened (it then holds nothing more).
        public var isOpen: Bool { state.withLock { $0.isOpen } }

        /// Returns once `count` transactions are held at the same time (or the gate
        /// opened, or the task was cancelled).
        public func waitUntilHeld(_ count: Int = 1) async {
            let ticket = state.withLock { $0.ticket() }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state in
                        if state.isOpen || state.held.count >= count || state.cancelled.remove(ticket) != nil { return true }
                        state.observers.append(Observer(ticket: ticket, count: count, continuation: continuation))
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                let observer = state.withLock { state in
                    guard let index = state.observers.firstIndex(where: { $0.ticket == ticket }) else {
                        state.cancelled.insert(ticket)
                        return nil as Observer?
                    }
                    return state.observers.remove(at: index)
                }
                observer?.continuation.resume()
            }
        }

        /// Lets the transaction held longest go on; false if none is held.
        @discardableResult
        public func releaseNext() -> Bool {
            let next = state.withLock { $0.held.isEmpty ? nil : $0.held.removeFirst() }
            next?.continuation.resume()
            return next != nil
        }

        /// Lets every held transaction go on, and every later one pass.
        public func open() {
            let (held, observers) = state.withLock { state in
                state.isOpen = true
                defer { state.held = [] }
                return (state.held, state.satisfiedObservers())
            }
            for transaction in held { transaction.continuation.resume() }
            for observer in observers { observer.resume() }
        }

        /// Waits here until released (at once if open).
        func hold() async throws(EtcdError) {
            let ticket = state.withLock { $0.ticket() }
            do {
                try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                        let (passing, observers) = state.withLock { state -> (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) in
                            if state.isOpen { return (.success(()), []) }
                            if state.cancelled.remove(ticket) != nil { return (.failure(CancellationError()), []) }
                            state.held.append(Held(ticket: ticket, continuation: continuation))
                            return (nil, state.satisfiedObservers())
                        }
                        for observer in observers { observer.resume() }
                        if let passing { continuation.resume(with: passing) }
                    }
                } onCancel: {
                    let held = state.withLock { state in
                        guard let index = state.held.firstIndex(where: { $0.ticket == ticket }) else {
                            state.cancelled.insert(ticket)
                            return nil as Held?
                        }
                        return state.held.remove(at: index)
                    }
                    held?.continuation.resume(throwing: CancellationError())
                }
            } catch {
                throw EtcdError(.cancelled, "Txn: cancelled while held by InMemoryEtcd.pauseTxns")
            }
        }
    }
}
