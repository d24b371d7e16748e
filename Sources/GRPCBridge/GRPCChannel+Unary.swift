import CGRPC

extension GRPCChannel {
    /// Calls a unary method and returns the response message's bytes.
    ///
    /// - Parameters:
    ///   - path: the method path, e.g. `/etcdserverpb.KV/Put`.
    ///   - request: the serialised request message.
    ///   - metadata: initial metadata pairs (lower-case keys).
    ///   - timeout: the call's deadline from now; nil waits forever.
    ///   - waitForReady: wait for a connection until the deadline instead of failing at
    ///     once with UNAVAILABLE while the channel is (re)connecting.
    /// - Throws: `GRPCStatus` for any non-OK outcome, including cancellation of the task.
    public func unary(
        path: String,
        request: [UInt8],
        metadata: [(String, String)] = [],
        timeout: Duration?,
        waitForReady: Bool = true
    ) async throws(GRPCStatus) -> [UInt8] {
        let call = try makeCall(path: path, timeout: timeout)
        defer { finished(call) }
        let batch = Batch()
        batch.sendInitialMetadata(metadata, flags: waitForReady ? cgrpc_wait_for_ready_flags() : 0)
        batch.sendMessage(request)
        batch.sendCloseFromClient()
        batch.receiveInitialMetadata()
        batch.receiveMessage()
        batch.receiveStatus()
        guard await call.run(batch) else {
            throw GRPCStatus(code: .internal, message: "the gRPC core refused the batch for \(path)")
        }
        let status = batch.status()
        guard status.isOK else { throw status }
        guard let response = batch.takeReceivedMessage() else {
            throw GRPCStatus(code: .internal, message: "\(path) returned OK without a response message")
        }
        return response
    }
}
