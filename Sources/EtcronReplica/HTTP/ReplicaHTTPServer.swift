import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

/// The replica's HTTP server: `/healthz`, `/readyz`, `/metrics`, and whatever
/// `ReplicaHTTPRoutes` are added (the `/v1` API, the dashboard).
///
/// A swift-service-lifecycle `Service`: run it in the operator's `ServiceGroup`. On
/// graceful shutdown it stops accepting connections, lets requests in flight finish and
/// returns; cancelling its task stops it at once.
public struct ReplicaHTTPServer: Service {
    /// Where the server listens once it runs; await `binding.waitUntilBound()` for the
    /// actual port when listening on port 0.
    public let binding = HTTPServerBinding()

    private let listen: ListenAddress
    private let state: ReplicaState
    private let metrics: @Sendable () async -> String
    private let routes: [any ReplicaHTTPRoutes]
    private let tls: ListenerTLS?
    private let logger: Logger

    /// A server for `listen`.
    ///
    /// - Parameters:
    ///   - listen: the address to bind (`http-listen`); port 0 picks a free port.
    ///   - state: what `/readyz` reports.
    ///   - metrics: renders the `/metrics` body in the Prometheus text format; the library
    ///     does not depend on a metrics backend, the executable passes its renderer.
    ///   - routes: further routes, registered after the built-in ones.
    ///   - tls: serve HTTPS with this certificate (reloaded when it changes); nil: HTTP.
    ///   - logger: for the server and its requests.
    public init(
        listen: ListenAddress,
        state: ReplicaState,
        metrics: @escaping @Sendable () async -> String,
        routes: [any ReplicaHTTPRoutes] = [],
        tls: ListenerTLS? = nil,
        logger: Logger
    ) {
        self.listen = listen
        self.state = state
        self.metrics = metrics
        self.routes = routes
        self.tls = tls
        self.logger = logger
    }

    /// Serves until graceful shutdown or cancellation.
    ///
    /// - Throws: `HTTPServerError` when the address cannot be bound.
    public func run() async throws {
        let router = Router(context: ReplicaRequestContext.self)
        HealthRoutes(state: state, metrics: metrics).addRoutes(to: router)
        for group in routes { group.addRoutes(to: router) }

        let binding = self.binding
        let logger = self.logger
        let listen = self.listen
        let server: HTTPServerBuilder = try tls.map { try .tls(.http1(), tlsConfiguration: $0.configuration) } ?? .http1()
        let application = Application(
            router: router,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                let address = ListenAddress(host: listen.host, port: port)
                logger.info(
                    "HTTP server listening on \(address)\(tls == nil ? "" : " (TLS)")", metadata: ["http.address": "\(address)"])
                binding.bound(to: address)
            },
            logger: logger
        )

        do {
            try await application.run()
        } catch {
            let reason = binding.address == nil ? "could not listen on \(listen) (\(error))" : "\(error)"
            binding.stopped(reason: reason)
            if error is CancellationError { throw error }
            throw HTTPServerError(reason: reason)
        }
        binding.stopped(reason: "stopped before it was listening")
        logger.info("HTTP server stopped", metadata: ["http.address": "\(binding.address ?? listen)"])
    }
}
