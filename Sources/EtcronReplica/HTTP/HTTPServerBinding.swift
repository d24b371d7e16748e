import Synchronization

/// The address the replica's HTTP server actually listens on, published once it has
/// bound. With `http-listen` port 0 this is how the replica (for its advertised address)
/// and tests learn the port.
public final class HTTPServerBinding: Sendable {
    private enum Phase {
        /// Not bound yet; these tasks wait for it.
        case waiting([UInt64: CheckedContinuation<ListenAddress, any Error>])
        case bound(ListenAddress)
        /// The server stopped; `address` if it had bound, else why it never did.
        case stopped(ListenAddress?, reason: String)
    }

    private struct State {
        var phase: Phase = .waiting([:])
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A binding that has not bound yet.
    public init() {}

    /// The bound address, nil before the server listens (and after it stopped without ever
    /// listening).
    public var address: ListenAddress? {
        state.withLock { state in
            switch state.phase {
            case .waiting: nil
            case .bound(let address): address
            case .stopped(let address, _): address
            }
        }
    }

    /// The bound port, nil before the server listens.
    public var port: Int? { address?.port }

    /// Waits until the server listens and returns its address.
    ///
    /// - Throws: `HTTPServerError` if the server stopped without listening (e.g. the port
    ///   was taken), `CancellationError` if the waiting task is cancelled.
    public func waitUntilBound() async throws -> ListenAddress {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ListenAddress, any Error>) in
                let outcome: Result<ListenAddress, any Error>? = state.withLock { state in
                    switch state.phase {
                    case .waiting(var waiters):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        state.phase = .waiting(waiters)
                        return nil
                    case .bound(let address), .stopped(.some(let address), _):
                        return .success(address)
                    case .stopped(nil, let reason):
                        return .failure(HTTPServerError(reason: reason))
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<ListenAddress, any Error>? = state.withLock { state in
                guard case .waiting(var waiters) = state.phase, let waiter = waiters.removeValue(forKey: id) else { return nil }
                state.phase = .waiting(waiters)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Records the bound address and wakes the waiters.
    func bound(to address: ListenAddress) {
        let waiters = state.withLock { state -> [CheckedContinuation<ListenAddress, any Error>] in
            guard case .waiting(let waiters) = state.phase else { return [] }
            state.phase = .bound(address)
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: address) }
    }

    /// Records that the server stopped; waiters still waiting fail with `reason`.
    func stopped(reason: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<ListenAddress, any Error>] in
            switch state.phase {
            case .waiting(let waiters):
                state.phase = .stopped(nil, reason: reason)
                return Array(waiters.values)
            case .bound(let address):
                state.phase = .stopped(address, reason: reason)
                return []
            case .stopped:
                return []
            }
        }
        for waiter in waiters { waiter.resume(throwing: HTTPServerError(reason: reason)) }
    }
}

/// The replica's HTTP server could not serve.
public struct HTTPServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What happened, e.g. `could not listen on 0.0.0.0:8080 (Address already in use)`.
    public var reason: String

    /// An error saying `reason`.
    public init(reason: String) {
        self.reason = reason
    }

    /// `HTTP server: reason`.
    public var description: String { "HTTP server: \(reason)" }
}
