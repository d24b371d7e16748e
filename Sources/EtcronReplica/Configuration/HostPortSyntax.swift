#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `[scheme://]host:port` split into its parts.
struct HostPort: Sendable, Hashable {
    /// `http` or `https` when the text had a scheme.
    var scheme: String?
    /// A host name, an IPv4 address or an IPv6 address (without brackets).
    var host: String
    /// The port.
    var port: Int
}

/// The one parser behind `etcd-endpoints`, `http-listen` and `advertise-address`, so they
/// accept and refuse the same spellings. Failures are a reason phrase that follows the
/// quoted value, e.g. `has no port (expected host:port)`.
enum HostPortSyntax {
    /// Parses `text`. `schemes` are the schemes allowed before `://` (none when empty);
    /// `ports` is the allowed port range. An empty host is allowed only when
    /// `allowEmptyHost` (`:8080` meaning every interface).
    static func parse(
        _ text: String,
        schemes: [String] = [],
        ports: ClosedRange<Int> = 1...65535,
        allowEmptyHost: Bool = false
    ) -> Result<HostPort, Reason> {
        var rest = Substring(text)
        var scheme: String?
        if let separator = rest.firstRange(of: "://") {
            let given = rest[..<separator.lowerBound].lowercased()
            guard schemes.contains(given) else {
                if schemes.isEmpty { return .failure("must not have a scheme (expected host:port)") }
                let allowed = schemes.map { "\($0)://" }.joined(separator: " or ")
                return .failure("has unsupported scheme \"\(given)\" (use \(allowed))")
            }
            scheme = given
            rest = rest[separator.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") {
            // A bare trailing slash after a scheme is what people paste from URLs; the etcd
            // client accepts it too.
            guard scheme != nil, rest[slash...] == "/" else {
                return .failure("has a path \"\(rest[slash...])\" (expected \(schemes.isEmpty ? "" : "[scheme://]")host:port)")
            }
            rest = rest[..<slash]
        }

        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                return .failure("is missing \"]\" after the IPv6 address")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let afterHost = rest[rest.index(after: close)...]
            guard afterHost.hasPrefix(":") else { return .failure("has no port (expected [address]:port)") }
            portText = afterHost.dropFirst()
            guard isIPv6(String(host)) else { return .failure("has invalid IPv6 address \"\(host)\"") }
        } else {
            guard let colon = rest.lastIndex(of: ":") else { return .failure("has no port (expected host:port)") }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
            if host.contains(":") {
                return .failure("has an IPv6 address without brackets (write [address]:port)")
            }
            if host.isEmpty {
                guard allowEmptyHost else { return .failure("has an empty host (expected host:port)") }
            } else if let problem = hostNameProblem(host) {
                return .failure("has invalid host \"\(host)\" (\(problem))")
            }
        }

        guard !portText.isEmpty else { return .failure("has an empty port") }
        guard portText.allSatisfy(\.isASCIIDigit), let port = Int(portText) else {
            return .failure("has port \"\(portText)\", which is not a number")
        }
        guard ports.contains(port) else {
            return .failure("has port \(port), outside \(ports.lowerBound)-\(ports.upperBound)")
        }
        return .success(HostPort(scheme: scheme, host: String(host), port: port))
    }

    /// Why `host` is not a host name or IPv4 address, or nil when it is one.
    static func hostNameProblem(_ host: Substring) -> String? {
        guard host.utf8.count <= 253 else { return "longer than 253 characters" }
        for character in host where !(character.isASCIIDigit || character.isASCIILetter || "-._".contains(character)) {
            return "character \"\(character)\" is not allowed"
        }
        if host.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            return "empty label"
        }
        if host.hasPrefix("-") { return "starts with \"-\"" }
        return nil
    }

    /// Whether `text` is an IPv6 address (zone suffixes such as `%eth0` included).
    static func isIPv6(_ text: String) -> Bool {
        let address = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        var storage = in6_addr()
        return inet_pton(AF_INET6, address, &storage) == 1
    }

    /// A reason phrase; a `String` with a distinct type so `Result` can carry it.
    struct Reason: Error, Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
        let text: String
        init(stringLiteral value: String) { text = value }
        init(stringInterpolation: DefaultStringInterpolation) { text = String(stringInterpolation: stringInterpolation) }
    }
}

extension Character {
    /// `0`-`9` only (unlike `isNumber`, which admits other scripts' digits).
    var isASCIIDigit: Bool { isASCII && isNumber }
    /// `a`-`z` and `A`-`Z` only.
    var isASCIILetter: Bool { isASCII && isLetter }
}
