import EtcdClient
import EtcronAPIModel
import EtcronCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime

/// The `/v1` API's routes, added to a replica's HTTP server by the executable: the
/// operations of the contract (the generated server, over `APIHandler`), behind the
/// error, authentication (with the per-token rate limit) and body-limit middlewares, with
/// the hottest reads' JSON written by hand (`FastReadMiddleware`),
/// and answers in the contract's error form for the paths and methods it does not list.
public struct APIRoutes: Sendable {
    /// Limits of the API.
    public struct Limits: Sendable, Hashable {
        /// The largest request body, in bytes (413 over it).
        public var maxBodyBytes: Int
        /// Requests per second each token may send on average (0: no limit).
        public var requestsPerSecond: Double
        /// The most requests a token may send at once.
        public var burst: Int

        /// The defaults: 1 MiB bodies, 50 requests per second with bursts of 100.
        public init(maxBodyBytes: Int = 1 << 20, requestsPerSecond: Double = 50, burst: Int = 100) {
            self.maxBodyBytes = maxBodyBytes
            self.requestsPerSecond = requestsPerSecond
            self.burst = burst
        }
    }

    /// The tokens in force; nil when no token file is configured.
    public let tokens: APITokenStore?
    /// Where records are read and written.
    public let client: any EtcdKV
    /// etcron's keys.
    public let keys: ReplicaKeys
    /// The limits.
    public let limits: Limits
    /// The operations, for other front ends on the same server (the dashboard).
    public let operations: APIOperations
    /// Whether the hottest reads are answered by ``FastReadMiddleware`` (tests turn it off
    /// to compare with the generated server's answers).
    let fastReads: Bool
    let logger: Logger

    /// Routes over `client`, authenticated by `tokens`.
    /// With `gamedayActions` admins may ask for gameday actions (`/v1/gameday/...`);
    /// without, those answer 403 `gamedayDisabled`. Without `fastReads`, every answer is
    /// encoded by the generated server (the same bytes, slower).
    public init(
        tokens: APITokenStore?, client: any EtcdKV, keys: ReplicaKeys, limits: Limits = Limits(), gamedayActions: Bool = false,
        fastReads: Bool = true, logger: Logger = Logger(label: "etcron.api")
    ) {
        self.tokens = tokens
        self.fastReads = fastReads
        self.client = client
        self.keys = keys
        self.limits = limits
        self.logger = logger
        operations = APIOperations(
            handler: APIHandler(
                store: JobStore(client: client, keys: JobKeys(keys), logger: logger), keys: keys, gamedayActions: gamedayActions, logger: logger),
            tokens: tokens, limiter: RateLimiter(rate: limits.requestsPerSecond, burst: Double(limits.burst)))
    }

    /// Registers the routes on `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        // Registration fails only for a server URL that is not a path; ours is "/".
        do {
            try register(operations.handler, on: router)
        } catch {
            logger.error("the /v1 operations could not be registered; /v1 answers 404", metadata: ["error": "\(error)"])
        }
        // Any other path or method under /v1: answered in the contract's error form once
        // the caller is known (an unauthenticated caller learns nothing about which paths
        // exist).
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head, .options] {
            router.on("/v1/**", method: method) { request, _ -> Response in
                if case .failure(let error) = AuthMiddleware.authenticate(request.headers[.authorization], tokens: tokens) { throw error }
                throw APIError.notFound("no such resource: \(request.method) \(request.uri.path)")
            }
        }
    }

    private func register<Context: RequestContext>(_ handler: APIHandler, on router: Router<Context>) throws {
        let configuration = Configuration(dateTranscoder: APIDates(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
        var middlewares: [any ServerMiddleware] = [
            HeaderMiddleware(),
            ErrorMiddleware(logger: logger),
            AuthMiddleware(tokens: tokens, limiter: operations.limiter),
            BodyMiddleware(limit: limits.maxBodyBytes),
        ]
        if fastReads { middlewares.append(FastReadMiddleware(handler: handler, configuration: configuration)) }
        try handler.registerHandlers(on: router, configuration: configuration, middlewares: middlewares)
    }
}
