import AsyncHTTPClient
import NIOCore
import NIOPosix
import Synchronization

/// The HTTP client of a replica's http targets: async-http-client with a shared
/// connection pool (HTTP/1.1 keep-alive, HTTP/2 where TLS negotiates it), so that a burst
/// of runs to the same target reuses connections instead of opening one per attempt, and
/// the gate in front of it (`HTTPHostGate`) that lets as many requests per target host in
/// as the pool keeps connections to it.
///
/// Redirects are not followed by the client: `HTTPExchange` follows them itself, after the
/// fence has vetted each new address. Connection failures are not retried by the pool (a
/// refused connection fails the attempt at once, and the run's retry policy decides); the
/// attempt's own watchdog bounds every request, so the client sets no read timeout.
struct HTTPTargetClient: Sendable {
    let client: HTTPClient
    let gate: HTTPHostGate

    /// Keep-alive connections kept per target host by default (`http-connections-per-host`):
    /// enough that a burst of runs to one target is not serialised behind a few
    /// connections, few enough not to flood it.
    static let defaultConnectionsPerHost = 32

    /// The process-wide client keeping `connectionsPerHost` connections per target host;
    /// made once per count and never shut down (a replica uses one for its whole life).
    static func shared(connectionsPerHost: Int = defaultConnectionsPerHost) -> HTTPTargetClient {
        clients.withLock { clients in
            if let client = clients[connectionsPerHost] { return client }
            let client = HTTPTargetClient(connectionsPerHost: connectionsPerHost)
            clients[connectionsPerHost] = client
            return client
        }
    }

    private static let clients = Mutex<[Int: HTTPTargetClient]>([:])

    /// The same client behind another gate (tests hold a gate's places themselves).
    func gated(by gate: HTTPHostGate) -> HTTPTargetClient {
        HTTPTargetClient(client: client, gate: gate)
    }

    private init(client: HTTPClient, gate: HTTPHostGate) {
        self.client = client
        self.gate = gate
    }

    /// The client's configuration (`etcron-bench runner` gives its baseline client the same).
    static func configuration(connectionsPerHost: Int) -> HTTPClient.Configuration {
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
        return configuration
    }

    private init(connectionsPerHost: Int) {
        let configuration = Self.configuration(connectionsPerHost: connectionsPerHost)
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        gate = HTTPHostGate(permits: connectionsPerHost)
    }
}
