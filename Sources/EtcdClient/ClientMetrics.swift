import Metrics

/// The client's swift-metrics instruments, made once per method so the hot path does no
/// factory look-ups.
struct ClientMetrics: Sendable {
    private let latency: [EtcdMethod: Timer]

    init() {
        var latency: [EtcdMethod: Timer] = [:]
        for method in EtcdMethod.allCases {
            latency[method] = Timer(label: "etcron_etcd_request_duration_seconds", dimensions: [("method", method.name)])
        }
        self.latency = latency
    }

    func recordLatency(_ method: EtcdMethod, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        latency[method]?.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    func recordError(_ method: EtcdMethod, _ error: EtcdError) {
        Counter(label: "etcron_etcd_request_errors_total", dimensions: [("method", method.name), ("code", error.code.description)])
            .increment()
    }
}
