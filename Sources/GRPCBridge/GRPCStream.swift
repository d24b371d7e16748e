import CGRPC
import Synchronization

/// A bidirectional stream: send and receive serialised messages, half-close, cancel.
///
/// At most one `send` and one `receive` may be in flight at a time (the C core's rule);
/// a second concurrent one throws instead of corrupting the call. Dropping the stream
/// cancels the call.
public final class GRPCStream: Sendable {
    private let call: GRPCCall
    private let path: String
    private let state: Mutex<State>

    private struct State {
        var initialMetadata: [(String, String)]?
        var initialMetadataFlags: UInt32
        var receivedInitialMetadata = false
        var sending = false
        var receiving = false
        var finalStatus: GRPCStatus?
        var statusWaiters: [UnsafeContinuation<GRPCStatus, Never>] = []
    }

    init(call: GRPCCall, path: String, metadata: [(String, String)], flags: UInt32) {
        self.call = call
        self.path = path
        state = Mutex(State(initialMetadata: metadata, initialMetadataFlags: flags))
    }

    /// Starts the batch that receives the final status; called once by `openStream`.
    fileprivate func startStatusWatch() {
        let batch = Batch()
        batch.receiveStatus()
        let call = self.call
        batch.onComplete = { [weak self, batch] _ in
            let status = batch.status()
            call.channel.finished(call)
            self?.deliver(status)
        }
        if call.start(batch) != GRPC_CALL_OK {
            batch.onComplete = nil
            call.channel.finished(call)
            deliver(GRPCStatus(code: .internal, message: "the gRPC core refused to start \(path)"))
        }
    }

    private func deliver(_ status: GRPCStatus) {
        let waiters = state.withLock { state -> [UnsafeContinuation<GRPCStatus, Never>] in
            if state.finalStatus == nil { state.finalStatus = status }
            defer { state.statusWaiters = [] }
            return state.statusWaiters
        }
        waiters.forEach { $0.resume(returning: status) }
    }

    /// Waits for the call's final status (after the server closed it or it was cancelled).
    public func finalStatus() async -> GRPCStatus {
        await withUnsafeContinuation { continuation in
            let known = state.withLock { state -> GRPCStatus? in
                if let status = state.finalStatus { return status }
                state.statusWaiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    /// Sends one message; the first send carries the initial metadata.
    /// - Throws: the final status if the call has ended.
    public func send(_ message: [UInt8]) async throws(GRPCStatus) {
        let batch = Batch()
        try state.withLock { state throws(GRPCStatus) in
            guard !state.sending else {
                throw GRPCStatus(code: .internal, message: "concurrent send on \(path)")
            }
            state.sending = true
            if let metadata = state.initialMetadata {
                batch.sendInitialMetadata(metadata, flags: state.initialMetadataFlags)
                state.initialMetadata = nil
            }
        }
        batch.sendMessage(message)
        let success = await call.run(batch)
        state.withLock { $0.sending = false }
        if !success {
            throw await endedStatus()
        }
    }

    /// Receives the next message, or nil when the server ended the stream with OK.
    /// - Throws: the final status when the stream ended with any other code.
    public func receive() async throws(GRPCStatus) -> [UInt8]? {
        let batch = Batch()
        try state.withLock { state throws(GRPCStatus) in
            guard !state.receiving else {
                throw GRPCStatus(code: .internal, message: "concurrent receive on \(path)")
            }
            state.receiving = true
            if !state.receivedInitialMetadata {
                state.receivedInitialMetadata = true
                batch.receiveInitialMetadata()
            }
        }
        batch.receiveMessage()
        _ = await call.run(batch)
        state.withLock { $0.receiving = false }
        if let message = batch.takeReceivedMessage() {
            return message
        }
        let status = await finalStatus()
        if status.isOK { return nil }
        throw status
    }

    /// Half-closes the stream: the server sees the end of the client's messages.
    public func closeSend() async {
        let batch = Batch()
        let metadata = state.withLock { state -> ([(String, String)], UInt32)? in
            defer { state.initialMetadata = nil }
            return state.initialMetadata.map { ($0, state.initialMetadataFlags) }
        }
        if let (pairs, flags) = metadata {
            batch.sendInitialMetadata(pairs, flags: flags)
        }
        batch.sendCloseFromClient()
        _ = await call.run(batch)
    }

    /// Cancels the call; pending operations end with CANCELLED. Safe from any thread.
    public func cancel() {
        call.cancel()
    }

    private func endedStatus() async -> GRPCStatus {
        let status = await finalStatus()
        return status.isOK ? GRPCStatus(code: .unavailable, message: "\(path) ended") : status
    }

    deinit {
        call.cancel()
    }
}

extension GRPCChannel {
    /// Opens a bidirectional stream on `path` with no deadline. Metadata goes out with the
    /// first `send`; with `waitForReady` the stream waits for a connection instead of
    /// failing at once while the channel reconnects.
    public func openStream(
        path: String,
        metadata: [(String, String)] = [],
        waitForReady: Bool = true
    ) throws(GRPCStatus) -> GRPCStream {
        let call = try makeCall(path: path, timeout: nil)
        let stream = GRPCStream(
            call: call, path: path, metadata: metadata,
            flags: waitForReady ? cgrpc_wait_for_ready_flags() : 0)
        stream.startStatusWatch()
        return stream
    }
}
