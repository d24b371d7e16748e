import EtcdProto
import GRPCBridge
import Logging
import SwiftProtobuf

extension EtcdClient {
    /// Watches `keys`. The sequence survives broken streams and member failover: it
    /// reconnects and resumes from the last delivered revision + 1, so no event is lost or
    /// repeated. It ends with `EtcdError.compacted` (re-list, then watch again) when the
    /// revision it needs was compacted, and finishes when the consuming task is cancelled.
    /// The stream is opened with `hasleader: true`, so a member that loses quorum ends it
    /// (and the watch moves on) instead of going silent.
    public func watch(_ keys: KeyRange, options: WatchOptions = WatchOptions()) -> WatchSequence {
        WatchSequence(client: self, keys: keys, options: options)
    }
}

/// The events of one watch, as an async sequence of responses. See `EtcdClient.watch`.
public struct WatchSequence: AsyncSequence, Sendable {
    public typealias Element = WatchResponse
    public typealias Failure = any Error

    let client: EtcdClient
    let keys: KeyRange
    let options: WatchOptions

    public func makeAsyncIterator() -> Iterator {
        Iterator(cursor: WatchCursor(client: client, keys: keys, options: options))
    }

    /// Pulls responses from the stream; reconnects inside `next()`.
    public struct Iterator: AsyncIteratorProtocol {
        let cursor: WatchCursor

        public mutating func next() async throws -> WatchResponse? {
            try await cursor.next()
        }
    }
}

/// The state of one watch across reconnects: the stream, and the next revision it owes.
final class WatchCursor {
    private let client: EtcdClient
    private let keys: KeyRange
    private let options: WatchOptions
    private var stream: GRPCStream?
    /// The first revision not yet delivered; 0 until the first stream is created.
    private var nextRevision: Int64
    private var failures = 0
    private var ended = false

    init(client: EtcdClient, keys: KeyRange, options: WatchOptions) {
        self.client = client
        self.keys = keys
        self.options = options
        nextRevision = options.startRevision
    }

    deinit {
        stream?.cancel()
    }

    func next() async throws -> WatchResponse? {
        while !ended {
            if Task.isCancelled {
                finish()
                return nil
            }
            do {
                if stream == nil {
                    try await open()
                }
                guard let stream else { continue }
                guard let bytes = try await stream.receive() else {
                    // The server closed the stream cleanly (e.g. shutting down): resume.
                    self.stream = nil
                    continue
                }
                let response: WatchWireResponse
                do {
                    response = try ResponseWire.decode(bytes, ResponseWire.watch)
                } catch {
                    throw EtcdError(.internalError, "watch of \(keys): etcd's response cannot be read: \(error)")
                }
                if let delivered = try accept(response) {
                    failures = 0
                    return delivered
                }
            } catch let status as GRPCStatus {
                try await recover(from: EtcdError.from(status, method: "Watch"))
            } catch let error as EtcdError {
                try await recover(from: error)
            }
        }
        return nil
    }

    /// Turns a response into what the caller sees, dropping anything already delivered.
    private func accept(_ response: WatchWireResponse) throws -> WatchResponse? {
        if response.canceled {
            finish()
            if response.compactRevision > 0 {
                throw EtcdError(.compacted,
                    "watch of \(keys): revision \(nextRevision) was compacted (store compacted at \(response.compactRevision)); re-list and watch again",
                    compactRevision: response.compactRevision)
            }
            throw EtcdError(.watchCanceled, "watch of \(keys) was cancelled by etcd: \(response.cancelReason)")
        }
        if response.compactRevision > 0 {
            finish()
            throw EtcdError(.compacted,
                "watch of \(keys): revision \(nextRevision) was compacted (store compacted at \(response.compactRevision)); re-list and watch again",
                compactRevision: response.compactRevision)
        }
        if response.created {
            if nextRevision == 0 { nextRevision = response.header.revision + 1 }
            return nil
        }
        let events = response.events.filter { $0.kv.modRevision >= nextRevision }
        if let last = events.last {
            nextRevision = last.revision + 1
            return WatchResponse(events: events, revision: last.revision)
        }
        guard response.events.isEmpty, response.header.revision > 0 else { return nil }
        // A progress notification: everything up to the header's revision was sent.
        nextRevision = max(nextRevision, response.header.revision + 1)
        return options.progressNotify ? WatchResponse(events: [], revision: response.header.revision) : nil
    }

    private func open() async throws {
        try await client.ensureAuthenticated()
        let stream: GRPCStream
        do {
            stream = try client.channel.openStream(
                path: EtcdMethod.watch.rawValue, metadata: client.metadata([("hasleader", "true")]))
        } catch {
            throw EtcdError.from(error, method: "Watch")
        }
        var create = Etcdserverpb_WatchCreateRequest()
        (create.key, create.rangeEnd) = keys.bounds
        create.startRevision = nextRevision
        create.prevKv = options.previousKV
        create.progressNotify = options.progressNotify
        var filters: [Etcdserverpb_WatchCreateRequest.FilterType] = []
        if options.noPut { filters.append(.noput) }
        if options.noDelete { filters.append(.nodelete) }
        create.filters = filters
        var request = Etcdserverpb_WatchRequest()
        request.requestUnion = .createRequest(create)
        self.stream = stream
        try await stream.send(try request.serializedBytes())
    }

    /// Decides whether a failure ends the watch or is retried after a backoff.
    private func recover(from error: EtcdError) async throws {
        stream?.cancel()
        stream = nil
        if Task.isCancelled {
            finish()
            return
        }
        if client.channel.isClosed {
            finish()
            throw EtcdError(.cancelled, "watch of \(keys) ended: the etcd client was closed")
        }
        switch error.code {
        case .unavailable, .noLeader, .deadlineExceeded, .cancelled, .internalError, .unknown, .invalidAuthToken:
            failures += 1
            let delay = min(2000, 50 << min(failures, 6))
            client.logger.debug("watch stream broke; resuming", metadata: [
                "keys": "\(keys)", "revision": "\(nextRevision)", "error": "\(error)",
            ])
            if error.code == .invalidAuthToken { _ = try? await client.refreshToken() }
            try await Task.sleep(for: .milliseconds(failures == 1 ? 0 : delay))
        default:
            finish()
            throw error
        }
    }

    private func finish() {
        ended = true
        stream?.cancel()
        stream = nil
    }
}
