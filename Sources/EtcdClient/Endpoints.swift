import Foundation

/// Endpoint strings parsed and turned into one C-core target with failover.
struct Endpoints: Sendable {
    struct Endpoint: Sendable, Hashable {
        var host: String
        var port: Int
        var secure: Bool
    }

    let list: [Endpoint]
    /// The C-core target: `ipv4:a:p,b:p` (pick_first fails over between them), `ipv6:...`,
    /// or `dns:///host:port` for a single host name (every address it resolves to).
    let target: String
    /// Whether any endpoint asked for TLS with `https://`.
    let wantsTLS: Bool
    /// The host name to verify certificates against when the target is made of addresses.
    let serverName: String?

    init(_ strings: [String]) throws(EtcdError) {
        guard !strings.isEmpty else {
            throw EtcdError(.invalidConfiguration, "etcd endpoints: none given; pass at least one host:port")
        }
        list = try strings.map { text throws(EtcdError) in try Self.parse(text) }
        wantsTLS = list.contains { $0.secure }
        let hosts = list.map(\.host)
        if hosts.allSatisfy(Self.isIPv4) {
            target = "ipv4:" + list.map { "\($0.host):\($0.port)" }.joined(separator: ",")
            serverName = nil
        } else if hosts.allSatisfy(Self.isIPv6) {
            target = "ipv6:" + list.map { "[\($0.host)]:\($0.port)" }.joined(separator: ",")
            serverName = nil
        } else if list.count == 1 {
            target = "dns:///\(list[0].host):\(list[0].port)"
            serverName = nil
        } else {
            // Several host names: the C core takes one name per target, so resolve them now
            // into one address list and check certificates against the first name.
            var addresses: [String] = []
            for endpoint in list {
                let resolved = Self.resolveIPv4(endpoint.host)
                guard !resolved.isEmpty else {
                    throw EtcdError(.invalidConfiguration, "etcd endpoints: cannot resolve host \"\(endpoint.host)\"")
                }
                addresses += resolved.map { "\($0):\(endpoint.port)" }
            }
            target = "ipv4:" + addresses.joined(separator: ",")
            serverName = list.first { !Self.isIPv4($0.host) }?.host
        }
    }

    static func parse(_ raw: String) throws(EtcdError) -> Endpoint {
        var text = raw.trimmingCharacters(in: .whitespaces)
        var secure = false
        if text.hasPrefix("https://") {
            secure = true
            text.removeFirst("https://".count)
        } else if text.hasPrefix("http://") {
            text.removeFirst("http://".count)
        } else if text.contains("://") {
            throw EtcdError(.invalidConfiguration, "etcd endpoint \"\(raw)\": unsupported scheme (use http:// or https://)")
        }
        if text.hasSuffix("/") { text.removeLast() }
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw EtcdError(.invalidConfiguration, "etcd endpoint \"\(raw)\": missing ] after IPv6 address")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw EtcdError(.invalidConfiguration, "etcd endpoint \"\(raw)\": expected host:port")
            }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw EtcdError(.invalidConfiguration, "etcd endpoint \"\(raw)\": expected host:port")
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || "-.:_".contains($0) }) else {
            throw EtcdError(.invalidConfiguration, "etcd endpoint \"\(raw)\": invalid host \"\(host)\"")
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw EtcdError(.invalidConfiguration, "etcd endpoint \"\(raw)\": port must be a number from 1 to 65535")
        }
        return Endpoint(host: host, port: port, secure: secure)
    }

    static func isIPv4(_ host: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }

    static func isIPv6(_ host: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, host, &address) == 1
    }

    static func resolveIPv4(_ host: String) -> [String] {
        if isIPv4(host) { return [host] }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let sockaddr = info.pointee.ai_addr {
                var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                    var address = inet.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &address, &buffer, socklen_t(INET_ADDRSTRLEN))
                }
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(text) { addresses.append(text) }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
