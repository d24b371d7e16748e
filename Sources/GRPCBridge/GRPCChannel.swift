import CGRPC
import Foundation
import Synchronization

/// A connection (with reconnects and failover over the target's addresses) to one gRPC
/// service, and the only owner of the C core's channel and completion queue.
///
/// Calls made through it are tracked so that `close()` can cancel them first: a stream that
/// is never finished or cancelled would make the queue's shutdown wait forever.
public final class GRPCChannel: @unchecked Sendable {
    // Safe to share: `grpc_channel_create_call` and connectivity checks are thread-safe in
    // the C core; `grpc_channel_destroy` runs once, under `registry`, after which no call is
    // created.
    private let pointer: OpaquePointer
    private let queue: CompletionQueue
    private let registry = Mutex(Registry())
    /// The target this channel was created for, for error messages.
    public let target: String

    private struct Registry {
        var nextID = 0
        var calls: [Int: GRPCCall] = [:]
        var closed = false
        /// `grpc_channel_register_call` handles by method path, made on a path's first call.
        var methods: [String: UnsafeMutableRawPointer] = [:]
        /// The C strings the handles were registered with; the core requires them to outlive
        /// the channel, so they are freed in deinit.
        var methodNames: [UnsafeMutablePointer<CChar>] = []
    }

    /// Creates the channel; connecting happens lazily on the first call.
    public init(configuration: GRPCChannelConfiguration) throws {
        GRPCRuntime.ensureInitialised()
        target = configuration.target
        let credentials = try Self.makeCredentials(configuration.security)
        defer { grpc_channel_credentials_release(credentials) }
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        func keep(_ text: String) -> UnsafeMutablePointer<CChar> {
            let copy = strdup(text)!
            strings.append(copy)
            return copy
        }
        var args: [grpc_arg] = []
        func integer(_ key: String, _ value: Int64) {
            args.append(cgrpc_arg_integer(keep(key), Int32(clamping: value)))
        }
        if let keepalive = configuration.keepaliveTime {
            integer(GRPC_ARG_KEEPALIVE_TIME_MS, keepalive.wholeMilliseconds)
            integer(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, configuration.keepaliveTimeout.wholeMilliseconds)
            integer(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1)
            integer(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0)
        }
        integer(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, Int64(configuration.maxReceiveMessageBytes))
        integer(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, configuration.initialReconnectBackoff.wholeMilliseconds)
        integer(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, configuration.initialReconnectBackoff.wholeMilliseconds)
        integer(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, configuration.maxReconnectBackoff.wholeMilliseconds)
        args.append(cgrpc_arg_string(keep("grpc.lb_policy_name"), keep(configuration.loadBalancingPolicy)))
        if let name = configuration.serverNameOverride {
            args.append(cgrpc_arg_string(keep(GRPC_SSL_TARGET_NAME_OVERRIDE_ARG), keep(name)))
        }
        if let authority = configuration.defaultAuthority {
            args.append(cgrpc_arg_string(keep(GRPC_ARG_DEFAULT_AUTHORITY), keep(authority)))
        }
        let created: OpaquePointer? = args.withUnsafeMutableBufferPointer { buffer in
            var channelArgs = grpc_channel_args(num_args: buffer.count, args: buffer.baseAddress)
            return grpc_channel_create(configuration.target, credentials, &channelArgs)
        }
        guard let created else {
            throw GRPCStatus(code: .invalidArgument, message: "cannot create a channel for target \(configuration.target)")
        }
        pointer = created
        queue = CompletionQueue(name: "grpc-poller")
    }

    private static func makeCredentials(_ security: GRPCChannelConfiguration.Security) throws -> OpaquePointer {
        switch security {
        case .plaintext:
            return grpc_insecure_credentials_create()
        case .tls(let roots, let chain, let key):
            let made: OpaquePointer? = withOptionalCString(roots) { rootsPointer in
                guard let chain, let key else {
                    return grpc_ssl_credentials_create(rootsPointer, nil, nil, nil)
                }
                return chain.withCString { chainPointer in
                    key.withCString { keyPointer in
                        var pair = grpc_ssl_pem_key_cert_pair(private_key: keyPointer, cert_chain: chainPointer)
                        return grpc_ssl_credentials_create(rootsPointer, &pair, nil, nil)
                    }
                }
            }
            guard let made else {
                throw GRPCStatus(code: .invalidArgument, message: "the TLS credentials were refused by gRPC (check the PEM files)")
            }
            return made
        }
    }

    /// A new call on `path` (e.g. `/etcdserverpb.KV/Range`), registered for `close()`.
    func makeCall(path: String, timeout: Duration?) throws(GRPCStatus) -> GRPCCall {
        let millis = timeout.map { max(0, $0.wholeMilliseconds) } ?? -1
        let deadline = cgrpc_deadline_after_millis(millis)
        return try registry.withLock { registry throws(GRPCStatus) -> GRPCCall in
            guard !registry.closed else {
                throw GRPCStatus(code: .unavailable, message: "the gRPC channel to \(target) is closed")
            }
            // A registered method spares every call building and interning its path; the
            // channel only ever sees the few etcd methods, so the table stays small.
            let method = registry.methods[path] ?? register(path, in: &registry)
            guard let raw = grpc_channel_create_registered_call(
                pointer, nil, cgrpc_propagate_defaults(), queue.pointer, method, deadline, nil)
            else {
                throw GRPCStatus(code: .internal, message: "grpc_channel_create_registered_call failed for \(path)")
            }
            registry.nextID += 1
            let call = GRPCCall(pointer: raw, id: registry.nextID, channel: self, queue: queue)
            registry.calls[call.id] = call
            return call
        }
    }

    /// Registers `path` with the core (called under the registry lock, once per path).
    private func register(_ path: String, in registry: inout Registry) -> UnsafeMutableRawPointer? {
        let name = strdup(path)!
        registry.methodNames.append(name)
        let handle = grpc_channel_register_call(pointer, name, nil, nil)
        registry.methods[path] = handle
        return handle
    }

    /// Forgets a call whose final status has arrived.
    func finished(_ call: GRPCCall) {
        registry.withLock { _ = $0.calls.removeValue(forKey: call.id) }
    }

    /// Whether `close()` has been called.
    public var isClosed: Bool { registry.withLock { $0.closed } }

    /// The channel's connectivity state, e.g. `READY` or `TRANSIENT_FAILURE`.
    public var connectivityState: String {
        let closed = registry.withLock { $0.closed }
        if closed { return "SHUTDOWN" }
        switch grpc_channel_check_connectivity_state(pointer, 0) {
        case GRPC_CHANNEL_IDLE: return "IDLE"
        case GRPC_CHANNEL_CONNECTING: return "CONNECTING"
        case GRPC_CHANNEL_READY: return "READY"
        case GRPC_CHANNEL_TRANSIENT_FAILURE: return "TRANSIENT_FAILURE"
        default: return "SHUTDOWN"
        }
    }

    /// Cancels every call still open, destroys the channel and drains the queue. Never
    /// hangs: cancelled calls complete promptly, and the wait for the poller is bounded.
    public func close() async {
        let open: [GRPCCall]? = registry.withLock { registry in
            guard !registry.closed else { return nil }
            registry.closed = true
            return Array(registry.calls.values)
        }
        guard let open else { return }
        open.forEach { $0.cancel() }
        let deadline = ContinuousClock.now + .seconds(5)
        while registry.withLock({ !$0.calls.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
        grpc_channel_destroy(pointer)
        queue.shutdown()
        let queue = self.queue
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                _ = queue.waitForPollerExit(timeout: .now() + .seconds(5))
                continuation.resume()
            }
        }
    }

    deinit {
        let wasClosed = registry.withLock { registry -> Bool in
            defer { registry.closed = true }
            return registry.closed
        }
        if !wasClosed {
            grpc_channel_destroy(pointer)
            queue.shutdown()
        }
        registry.withLock { $0.methodNames.forEach { free($0) } }
    }
}

private func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
