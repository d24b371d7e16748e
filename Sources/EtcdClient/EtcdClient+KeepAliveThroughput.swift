import EtcdProto
import GRPCBridge
import SwiftProtobuf

extension EtcdClient {
    /// Sends `count` keep-alives for lease `id` over one new LeaseKeepAlive stream, with at
    /// most `window` of them unanswered, and returns how long it took until the last answer
    /// arrived.
    ///
    /// For `etcron-bench etcd` only: the public `keepAlive(_:ttl:)` renews each lease on its
    /// TTL's cadence (a third of the TTL), so it cannot show how many messages the stream
    /// itself round-trips per second. The stream is opened exactly as the keep-alive
    /// manager opens it (`hasleader: true`, auth token), and every answer is decoded.
    /// - Throws: `EtcdError` if the stream fails or etcd reports the lease gone.
    package func keepAliveRoundTrips(lease id: Int64, count: Int, window: Int) async throws(EtcdError) -> Duration {
        try await ensureAuthenticated()
        let stream: GRPCStream
        var request = Etcdserverpb_LeaseKeepAliveRequest()
        request.id = id
        let message: [UInt8]
        do {
            message = try request.serializedBytes()
        } catch {
            throw EtcdError(.internalError, "LeaseKeepAlive: cannot encode the request: \(error)")
        }
        do {
            stream = try channel.openStream(
                path: EtcdMethod.leaseKeepAlive.rawValue, metadata: metadata([("hasleader", "true")]))
        } catch {
            throw EtcdError.from(error, method: "LeaseKeepAlive")
        }
        defer { stream.cancel() }
        // One credit per answer lets the sender run `window` messages ahead of the receiver.
        let (credits, creditor) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .unbounded)
        let start = ContinuousClock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Finishing the credits also frees a sender waiting after a failure.
                    defer { creditor.finish() }
                    for _ in 0..<count {
                        guard let bytes = try await stream.receive() else {
                            throw EtcdError(.unavailable, "LeaseKeepAlive: the stream ended early")
                        }
                        let response = try Etcdserverpb_LeaseKeepAliveResponse(serializedBytes: bytes)
                        guard response.ttl > 0 else {
                            throw EtcdError(.leaseNotFound, "LeaseKeepAlive: lease \(id) expired or was revoked")
                        }
                        creditor.yield()
                    }
                }
                var answers = credits.makeAsyncIterator()
                for sent in 0..<count {
                    if sent >= window, await answers.next() == nil { break }
                    try await stream.send(message)
                }
                try await group.waitForAll()
            }
        } catch let error as EtcdError {
            throw error
        } catch let status as GRPCStatus {
            throw EtcdError.from(status, method: "LeaseKeepAlive")
        } catch {
            throw EtcdError(.internalError, "LeaseKeepAlive: cannot decode an answer: \(error)")
        }
        return ContinuousClock.now - start
    }
}
