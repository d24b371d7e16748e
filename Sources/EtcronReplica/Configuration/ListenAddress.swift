/// A host and port to listen on, as in `http-listen` (`0.0.0.0:8080`, `[::]:8080`,
/// `127.0.0.1:0`). Port 0 asks the kernel for any free port.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// A host name or an IPv4 or IPv6 address (IPv6 without brackets).
    public var host: String
    /// The port, 0...65535.
    public var port: Int

    /// An address for `host` and `port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (`[address]:port` for IPv6; `:port` means every IPv4 interface).
    /// Throws a reason phrase that names the problem, e.g. `has no port (expected host:port)`.
    public init(parsing text: String) throws(ListenAddressError) {
        switch HostPortSyntax.parse(text, ports: 0...65535, allowEmptyHost: true) {
        case .success(let parsed):
            self.init(host: parsed.host.isEmpty ? "0.0.0.0" : parsed.host, port: parsed.port)
        case .failure(let reason):
            throw ListenAddressError(text: text, reason: reason.text)
        }
    }

    /// Whether this listens on every interface (`0.0.0.0` or `::`), so it says nothing
    /// about how others should reach it.
    public var isWildcard: Bool { host == "0.0.0.0" || host == "::" }

    /// `host:port`, with IPv6 addresses in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Why a text is not a `ListenAddress`.
public struct ListenAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The refused text.
    public var text: String
    /// What is wrong with it, e.g. `has no port (expected host:port)`.
    public var reason: String

    /// `"text" reason`.
    public var description: String { "\"\(text)\" \(reason)" }
}
