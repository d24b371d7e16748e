import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The one HTTP client of a replica's http targets: async-http-client with a shared
/// connection pool (HTTP/1.1 keep-alive, HTTP/2 where TLS negotiates it), so that a burst
/// of runs to the same target reuses connections instead of opening one per attempt.
///
/// Redirects are not followed by the client: `HTTPExchange` follows them itself, after the
/// fence has vetted each new address. Connection failures are not retried by the pool (a
/// refused connection fails the attempt at once, and the run's retry policy decides); the
/// attempt's own watchdog bounds every request, so the client sets no read timeout.
enum HTTPTargetClient {
    /// The process-wide client; never shut down (it lives as long as the replica).
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: .seconds(30)),
            connectionPool: HTTPClient.Configuration.ConnectionPool(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost),
            decompression: .disabled
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .automatic
        // etcron bootstraps no tracer: without this the client opens a no-op span and sets
        // its attributes on every request (a few percent of an executor's CPU in a herd).
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()

    /// Lets as many requests per target host into the client as it keeps connections to
    /// it (see `HTTPHostGate`).
    static let gate = HTTPHostGate(permits: connectionsPerHost)

    /// Keep-alive connections kept per target host: enough that a burst of runs to one
    /// target is not serialised behind a few connections, few enough not to flood it.
    static let connectionsPerHost = 32
}
