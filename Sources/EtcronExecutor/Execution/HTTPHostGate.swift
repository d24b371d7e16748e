import DequeModule
import Synchronization

/// Lets at most `permits` requests per target host into the HTTP client at once; the
/// others wait here, first come first served, each until one inside is done.
///
/// The client's pool keeps that many connections per host and would queue the rest
/// itself, but its queue is costly when a herd hands it thousands of requests at once
/// (`etcron-bench runner`: about a third more CPU per request with 2,000 waiting than
/// with 32). Waiting here costs a continuation in a deque. A request leaves the gate when
/// its response has been read to the end or it failed, so the client always has a free
/// connection for the next one.
final class HTTPHostGate: Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct Host {
        var inside = 0
        var waiting: Deque<Waiter> = []
    }

    private struct State {
        var hosts: [String: Host] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())
    /// Requests per host let in at once.
    let permits: Int

    init(permits: Int) {
        self.permits = max(1, permits)
    }

    /// Waits for a place for a request to `host` (scheme, name and port: what the client's
    /// pool keys connections on). False when the task is cancelled first: it then holds
    /// no place and must not `leave`.
    func enter(_ host: String) async -> Bool {
        let id: Int? = state.withLock { state in
            if takePlace(for: host, in: &state) { return nil }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                // Under the lock that `onCancel` takes too: a cancellation either finds the
                // waiter or is seen here.
                let immediate: Bool? = state.withLock { state in
                    if Task.isCancelled { return false }
                    if takePlace(for: host, in: &state) { return true }
                    state.hosts[host, default: Host()].waiting.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.hosts[host]?.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.hosts[host]?.waiting.remove(at: index)
            }
            waiter?.continuation.resume(returning: false)
        }
    }

    /// Takes a free place for `host`, if there is one.
    private func takePlace(for host: String, in state: inout State) -> Bool {
        guard state.hosts[host, default: Host()].inside < permits else { return false }
        state.hosts[host, default: Host()].inside += 1
        return true
    }

    /// Gives back the place of a request to `host` that `enter` let in: the first waiter,
    /// if any, takes it.
    func leave(_ host: String) {
        let next = state.withLock { state -> Waiter? in
            // In place: a copy of the entry would copy its waiters (thousands in a herd).
            if let first = state.hosts[host]?.waiting.popFirst() { return first }
            guard let inside = state.hosts[host]?.inside else { return nil }
            if inside > 1 {
                state.hosts[host]?.inside = inside - 1
            } else {
                state.hosts[host] = nil
            }
            return nil
        }
        next?.continuation.resume(returning: true)
    }

    /// Requests inside and waiting for `host` (for tests).
    func load(_ host: String) -> (inside: Int, waiting: Int) {
        state.withLock { state in (state.hosts[host]?.inside ?? 0, state.hosts[host]?.waiting.count ?? 0) }
    }

    /// Hosts with a request inside or waiting (for tests: an idle gate keeps none).
    var hostCount: Int { state.withLock { $0.hosts.count } }
}
