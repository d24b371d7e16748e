/// How an etcd cluster's client port is secured. Peer traffic always stays plain HTTP.
public enum EtcdTLSMode: Sendable, Hashable, CustomStringConvertible {
    /// Plain HTTP/2 on the client port.
    case none
    /// HTTPS: clients verify the server against the test CA.
    case serverTLS
    /// HTTPS with client certificates: etcd also requires a certificate signed by the
    /// test CA (`--client-cert-auth --trusted-ca-file`).
    case mutualTLS

    /// Whether clients must speak TLS.
    public var isEnabled: Bool { self != .none }

    /// `none`, `serverTLS` or `mutualTLS`.
    public var description: String {
        switch self {
        case .none: "none"
        case .serverTLS: "serverTLS"
        case .mutualTLS: "mutualTLS"
        }
    }
}
