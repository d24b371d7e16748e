import EtcronCore
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Collects one HTTP attempt's response: its status and the last bytes of its body,
/// streamed into a ring buffer so that a huge body never sits in memory whole.
final class HTTPAttemptDelegate: NSObject, URLSessionDataDelegate, Sendable {
    /// How the request ended.
    struct Completion: Sendable {
        /// The response's status, if one arrived.
        var status: Int?
        /// The last bytes of the body.
        var body: OutputRingBuffer
        /// The transport error, if the request did not complete.
        var error: (any Error)?
        /// Why a redirect was not followed (the fence refused its target).
        var refusal: String?
        /// When it ended.
        var finishedAt: Date
    }

    private struct State {
        var status: Int?
        var body: OutputRingBuffer
        var completion: Completion?
        var waiter: CheckedContinuation<Completion, Never>?
        var refusal: String?
    }

    private let state: Mutex<State>
    private let vet: @Sendable (URL) -> Result<[[UInt8]], HTTPFence.Refusal>

    /// A delegate keeping at most `capacity` bytes of the body, following a redirect only
    /// when `vet` allows its target.
    init(capacity: Int, vet: @escaping @Sendable (URL) -> Result<[[UInt8]], HTTPFence.Refusal> = { _ in .success([]) }) {
        state = Mutex(State(body: OutputRingBuffer(capacity: capacity)))
        self.vet = vet
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        guard let url = request.url else { return completionHandler(nil) }
        switch vet(url) {
        case .success(let addresses):
            completionHandler(HTTPRunner.pinned(request, to: addresses))
        case .failure(let refusal):
            // Not followed: the redirect's own response ends the attempt, as refused.
            state.withLock { $0.refusal = "\(url.absoluteString): \(refusal)" }
            completionHandler(nil)
        }
    }

    /// Waits until the request has completed, failed or been cancelled.
    func completion() async -> Completion {
        await withCheckedContinuation { continuation in
            let ready: Completion? = state.withLock { state in
                if let completion = state.completion { return completion }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        state.withLock { $0.status = (response as? HTTPURLResponse)?.statusCode }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        state.withLock { $0.body.append(data) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let finishedAt = Date()
        let (completion, waiter) = state.withLock { state in
            if state.status == nil {
                state.status = (task.response as? HTTPURLResponse)?.statusCode
            }
            let completion = Completion(status: state.status, body: state.body, error: error, refusal: state.refusal, finishedAt: finishedAt)
            state.completion = completion
            defer { state.waiter = nil }
            return (completion, state.waiter)
        }
        waiter?.resume(returning: completion)
    }
}
