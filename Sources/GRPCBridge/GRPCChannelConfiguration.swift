/// How a `GRPCChannel` connects: target, credentials, keepalive and message limits.
public struct GRPCChannelConfiguration: Sendable {
    /// Transport security for the channel.
    public enum Security: Sendable {
        /// Plain-text HTTP/2.
        case plaintext
        /// TLS; `rootCertificates` is a PEM bundle (nil: the core's default roots), and a
        /// client certificate chain and private key (PEM) enable mutual TLS.
        case tls(rootCertificates: String?, certificateChain: String?, privateKey: String?)
    }

    /// A C-core target such as `ipv4:127.0.0.1:2379,127.0.0.1:22379` or `dns:///etcd:2379`.
    public var target: String
    /// Plain text or TLS.
    public var security: Security = .plaintext
    /// Host name checked against the server certificate instead of the target's.
    public var serverNameOverride: String?
    /// The `:authority` sent to the server.
    public var defaultAuthority: String?
    /// Interval between HTTP/2 keepalive pings; nil disables them.
    public var keepaliveTime: Duration? = .seconds(10)
    /// How long a keepalive ping may go unanswered before the connection is dropped.
    public var keepaliveTimeout: Duration = .seconds(5)
    /// Largest message accepted from the server.
    public var maxReceiveMessageBytes: Int = 64 * 1024 * 1024
    /// Load-balancing policy over the target's addresses (`pick_first` or `round_robin`).
    public var loadBalancingPolicy: String = "pick_first"
    /// Reconnect backoff: first delay and cap.
    public var initialReconnectBackoff: Duration = .milliseconds(100)
    /// The largest delay between reconnect attempts.
    public var maxReconnectBackoff: Duration = .seconds(2)

    /// A configuration for `target` with defaults for everything else.
    public init(target: String) {
        self.target = target
    }
}

extension Duration {
    /// Whole milliseconds, saturating at `Int.max`.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? Int64.min : Int64.max }
        return scaled + attoseconds / 1_000_000_000_000_000
    }
}
