import Metrics
import Prometheus

/// swift-metrics backed by Prometheus, for the `etcron` executable only: libraries count
/// through swift-metrics and never see Prometheus.
enum PrometheusMetrics {
    /// Buckets, in seconds, for every swift-metrics `Timer` (emitted as a histogram of
    /// seconds): from etcd round trips (milliseconds) through start delays and run
    /// durations (minutes), with 20 minutes as a bucket boundary because "started within
    /// 20 minutes of the scheduled time" is the start-delay SLO worth alerting on.
    static let timerBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60), .seconds(300), .seconds(1200), .seconds(3600),
    ]

    /// The registry every metric lands in. Initialising it bootstraps swift-metrics, and
    /// Swift runs a global's initialiser exactly once, so the bootstrap (which traps if
    /// repeated) happens once however often `bootstrap()` is called.
    private static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = timerBuckets
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Bootstraps swift-metrics with Prometheus on the first call and returns a renderer
    /// of the exposition text (`/metrics` body) for the one registry.
    static func bootstrap() -> @Sendable () async -> String {
        let registry = self.registry
        return {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return String(decoding: buffer, as: UTF8.self)
        }
    }
}

/// Bootstraps swift-metrics with Prometheus (once per process) and returns the renderer
/// of the `/metrics` body for `ReplicaHTTPServer`.
func bootstrapPrometheus() -> @Sendable () async -> String {
    PrometheusMetrics.bootstrap()
}
