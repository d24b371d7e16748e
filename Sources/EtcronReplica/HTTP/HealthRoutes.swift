import Hummingbird

/// `/healthz`, `/readyz` and `/metrics`: what Kubernetes probes and Prometheus scrape.
struct HealthRoutes: ReplicaHTTPRoutes {
    /// The Prometheus text exposition format's content type.
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    let state: ReplicaState
    let metrics: @Sendable () async -> String

    func addRoutes(to router: Router<ReplicaRequestContext>) {
        // Liveness: answering at all is the signal. It must not depend on etcd, or an etcd
        // outage would make Kubernetes restart every replica at once.
        router.get("healthz") { _, _ in
            Self.response(.ok, contentType: "text/plain; charset=utf-8", body: "ok\n")
        }
        // Readiness: a live etcd session; the body says what the replica is doing, or why
        // it is not ready.
        router.get("readyz") { _, _ in
            let snapshot = state.snapshot
            return Self.response(
                snapshot.isReady ? .ok : .serviceUnavailable,
                contentType: "application/json",
                body: snapshot.readinessJSON + "\n"
            )
        }
        router.get("metrics") { _, _ in
            Self.response(.ok, contentType: Self.metricsContentType, body: await metrics())
        }
    }

    static func response(_ status: HTTPResponse.Status, contentType: String, body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        // Probes and scrapes must see the state now, never a cached answer.
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
