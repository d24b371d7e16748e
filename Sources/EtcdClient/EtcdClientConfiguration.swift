/// How the client reaches etcd: endpoints, TLS, credentials and time limits.
public struct EtcdClientConfiguration: Sendable {
    /// TLS settings; file paths are read when the client is created.
    public struct TLS: Sendable, Hashable {
        /// CA bundle (PEM) that signs the server certificates; nil uses the system roots.
        public var caFile: String?
        /// Client certificate chain (PEM) for mutual TLS.
        public var certificateFile: String?
        /// Client private key (PEM) for mutual TLS.
        public var keyFile: String?
        /// Host name to check the server certificate against, when it differs from the
        /// endpoints' (e.g. endpoints given as IP addresses).
        public var serverName: String?

        /// TLS with the given files; all optional.
        public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, serverName: String? = nil) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.serverName = serverName
        }
    }

    /// User name and password for etcd's auth; the token is refreshed when it expires.
    public struct Credentials: Sendable, Hashable {
        /// The etcd user.
        public var username: String
        /// Its password.
        public var password: String

        /// Credentials for `username`.
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    /// Endpoints as `host:port`, `http://host:port` or `https://host:port`; the client
    /// fails over between them.
    public var endpoints: [String]
    /// TLS; also switched on (with system roots) by `https://` endpoints.
    public var tls: TLS?
    /// Auth credentials, if etcd has auth enabled.
    public var credentials: Credentials?
    /// Deadline for every unary call that does not set its own.
    public var requestTimeout: Duration = .seconds(5)
    /// HTTP/2 keepalive ping interval (detects dead connections between calls).
    public var keepaliveTime: Duration = .seconds(10)
    /// How long a keepalive ping may go unanswered.
    public var keepaliveTimeout: Duration = .seconds(5)
    /// Largest response accepted.
    public var maxResponseBytes: Int = 64 * 1024 * 1024

    /// A configuration for `endpoints` with defaults for everything else.
    public init(endpoints: [String]) {
        self.endpoints = endpoints
    }
}
