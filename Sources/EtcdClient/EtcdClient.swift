import EtcdProto
import Foundation
import GRPCBridge
import Logging
import SwiftProtobuf
import Synchronization

/// An async etcd v3 client over the gRPC C core: KV, Txn, Watch, Lease, and the cluster and
/// maintenance calls; sessions and elections build on it.
///
/// One client holds one channel that fails over between the configured endpoints. Every
/// unary call has a deadline (the configured request timeout unless given) and waits for a
/// connection up to it. Call `close()` when done: it cancels open watches and keep-alive
/// streams first, so it never hangs.
public final class EtcdClient: Sendable {
    /// The configuration the client was made with.
    public let configuration: EtcdClientConfiguration
    let channel: GRPCChannel
    let logger: Logger
    let metrics = ClientMetrics()
    private let token = Mutex<String?>(nil)
    private let keepAlives = Mutex<LeaseKeepAliveManager?>(nil)
    private let endpoints: Endpoints

    /// Creates a client; connecting happens on the first call.
    /// - Throws: `EtcdError.invalidConfiguration` naming the bad endpoint or unreadable file.
    public init(configuration: EtcdClientConfiguration, logger: Logger = Logger(label: "etcron.etcd")) throws(EtcdError) {
        self.configuration = configuration
        self.logger = logger
        endpoints = try Endpoints(configuration.endpoints)
        var channelConfiguration = GRPCChannelConfiguration(target: endpoints.target)
        channelConfiguration.keepaliveTime = configuration.keepaliveTime
        channelConfiguration.keepaliveTimeout = configuration.keepaliveTimeout
        channelConfiguration.maxReceiveMessageBytes = configuration.maxResponseBytes
        // round_robin keeps a connection to every endpoint: a stream reopened after a member
        // died or lost quorum lands on another member instead of the same one again.
        channelConfiguration.loadBalancingPolicy = "round_robin"
        if configuration.tls != nil || endpoints.wantsTLS {
            let tls = configuration.tls ?? .init()
            channelConfiguration.security = .tls(
                rootCertificates: try Self.read(tls.caFile, setting: "etcd CA file"),
                certificateChain: try Self.read(tls.certificateFile, setting: "etcd client certificate file"),
                privateKey: try Self.read(tls.keyFile, setting: "etcd client key file"))
            if (tls.certificateFile == nil) != (tls.keyFile == nil) {
                throw EtcdError(.invalidConfiguration, "etcd TLS: a client certificate needs its key file and the key needs its certificate")
            }
            channelConfiguration.serverNameOverride = tls.serverName ?? endpoints.serverName
        }
        do {
            channel = try GRPCChannel(configuration: channelConfiguration)
        } catch let status as GRPCStatus {
            throw EtcdError(.invalidConfiguration, "etcd connection: \(status.message)", status: status)
        } catch {
            throw EtcdError(.invalidConfiguration, "etcd connection: \(error)")
        }
    }

    private static func read(_ path: String?, setting: String) throws(EtcdError) -> String? {
        guard let path else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw EtcdError(.invalidConfiguration, "\(setting) \"\(path)\": cannot be read (\(error.localizedDescription))")
        }
    }

    /// The endpoints as configured, for messages.
    public var endpointDescription: String { configuration.endpoints.joined(separator: ",") }

    /// Cancels every open stream, then closes the connection. Safe to call twice.
    public func close() async {
        let manager = keepAlives.withLock { manager -> LeaseKeepAliveManager? in
            defer { manager = nil }
            return manager
        }
        await manager?.shutdown()
        await channel.close()
    }

    // MARK: - Calls

    /// Metadata for a call: the auth token if there is one, plus `extra`.
    func metadata(_ extra: [(String, String)] = []) -> [(String, String)] {
        var pairs = extra
        if let token = token.withLock({ $0 }) {
            pairs.append(("token", token))
        }
        return pairs
    }

    /// Calls a unary method with auth (re-authenticating once on an expired token), the
    /// configured deadline, metrics, and errors mapped to `EtcdError`.
    func call<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: EtcdMethod,
        _ request: Request,
        timeout: Duration? = nil,
        as: Response.Type = Response.self
    ) async throws(EtcdError) -> Response {
        try await call(method, encoded: { try request.serializedBytes() }, timeout: timeout)
    }

    /// A call whose request `encode` writes in protobuf's wire format itself.
    func call<Response: SwiftProtobuf.Message>(
        _ method: EtcdMethod,
        encoded encode: () throws -> [UInt8],
        timeout: Duration? = nil,
        as: Response.Type = Response.self
    ) async throws(EtcdError) -> Response {
        try await call(method, encoded: encode, timeout: timeout) { try Response(serializedBytes: $0) }
    }

    /// A call whose request `encode` writes, and whose response `decode` reads, in
    /// protobuf's wire format.
    func call<Response>(
        _ method: EtcdMethod,
        encoded encode: () throws -> [UInt8],
        timeout: Duration? = nil,
        decode: ([UInt8]) throws -> Response
    ) async throws(EtcdError) -> Response {
        try await ensureAuthenticated()
        do {
            return try await callOnce(method, encode, timeout: timeout, decode: decode)
        } catch where error.code == .invalidAuthToken && configuration.credentials != nil {
            logger.debug("etcd auth token expired; authenticating again", metadata: ["method": "\(method.name)"])
            token.withLock { $0 = nil }
            try await ensureAuthenticated()
            return try await callOnce(method, encode, timeout: timeout, decode: decode)
        }
    }

    private func callOnce<Response>(
        _ method: EtcdMethod,
        _ encode: () throws -> [UInt8],
        timeout: Duration?,
        decode: ([UInt8]) throws -> Response
    ) async throws(EtcdError) -> Response {
        let start = ContinuousClock.now
        let limit = timeout ?? configuration.requestTimeout
        do {
            let bytes = try encode()
            let response = try await channel.unary(
                path: method.rawValue, request: bytes, metadata: metadata(), timeout: limit)
            metrics.recordLatency(method, since: start)
            return try decode(response)
        } catch let status as GRPCStatus {
            let error = describe(status, method: method, timeout: limit)
            metrics.recordError(method, error)
            throw error
        } catch let error as EtcdError {
            throw error
        } catch {
            let mapped = EtcdError(.internalError, "\(method.name): cannot encode or decode the message: \(error)")
            metrics.recordError(method, mapped)
            throw mapped
        }
    }

    /// Maps a status, adding what the caller needs to know when etcd could not be reached.
    func describe(_ status: GRPCStatus, method: EtcdMethod, timeout: Duration?) -> EtcdError {
        var error = EtcdError.from(status, method: method.name)
        if error.code == .deadlineExceeded || error.code == .unavailable {
            let state = channel.connectivityState
            if state != "READY" {
                let limit = timeout.map { " within \($0)" } ?? ""
                error.message = "\(method.name): no answer from etcd at \(endpointDescription)\(limit) "
                    + "(connection \(state); \(status))"
            }
        }
        return error
    }

    /// Drops the auth token and authenticates again (after an invalid-token error).
    func refreshToken() async throws(EtcdError) {
        token.withLock { $0 = nil }
        try await ensureAuthenticated()
    }

    /// Authenticates if credentials are configured and no token is held yet.
    func ensureAuthenticated() async throws(EtcdError) {
        guard let credentials = configuration.credentials, token.withLock({ $0 == nil }) else { return }
        var request = Etcdserverpb_AuthenticateRequest()
        request.name = credentials.username
        request.password = credentials.password
        let response: Etcdserverpb_AuthenticateResponse
        do {
            response = try await callOnce(.authenticate, { try request.serializedBytes() }, timeout: nil) {
                try Etcdserverpb_AuthenticateResponse(serializedBytes: $0)
            }
        } catch where error.code == .authenticationFailed {
            throw EtcdError(.authenticationFailed,
                "etcd credentials: user \"\(credentials.username)\" was refused (wrong user name or password)",
                status: error.status)
        }
        token.withLock { $0 = response.token }
    }

    /// The shared keep-alive stream, started on first use.
    var keepAliveManager: LeaseKeepAliveManager {
        keepAlives.withLock { manager in
            if let manager { return manager }
            let made = LeaseKeepAliveManager(client: self)
            manager = made
            return made
        }
    }
}
