import Hummingbird

/// The request context of every route of the replica's HTTP server. One name for it, so
/// routes added later (the `/v1` API, the dashboard) keep compiling if it grows fields.
public typealias ReplicaRequestContext = BasicRequestContext

/// A group of routes added to the replica's HTTP server next to `/healthz`, `/readyz`
/// and `/metrics`: the extension point for the `/v1` API and the dashboard at `/`.
public protocol ReplicaHTTPRoutes: Sendable {
    /// Registers this group's routes on `router`; called once, before the server starts.
    func addRoutes(to router: Router<ReplicaRequestContext>)
}

/// Routes given as a closure, for small additions and tests.
public struct RouteRegistration: ReplicaHTTPRoutes {
    private let register: @Sendable (Router<ReplicaRequestContext>) -> Void

    /// Routes that `register` adds.
    public init(_ register: @escaping @Sendable (Router<ReplicaRequestContext>) -> Void) {
        self.register = register
    }

    /// Runs the closure on `router`.
    public func addRoutes(to router: Router<ReplicaRequestContext>) {
        register(router)
    }
}
