import EtcronCore
import EtcronProto
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where an http target may never connect, whatever its job says: link-local addresses
/// (cloud metadata at 169.254.169.254 included), unspecified, multicast and broadcast
/// addresses, the networks the operator denies (`http-deny-networks`: loopback, the
/// cluster's service range, ...), etcd's endpoints and the replicas' own listeners
/// (address and port, whatever name reaches them). For a job an editor wrote, its tenant's
/// target policy (allowed and denied networks) applies too.
///
/// The check is on the addresses a host name resolves to, every one of them, before
/// every attempt and on every redirect. A plain-http request is then sent to the address
/// that was checked (the URL's host goes in the `Host` header), so a name that resolves
/// differently a moment later (DNS rebinding) cannot move it; an https request is checked
/// the same way, but the HTTP client resolves the name again when it connects (its
/// certificate is checked against the name). A name's addresses are kept for a few
/// seconds (`HostResolutions`), so a burst of runs to one target resolves it once.
public final class HTTPFence: Sendable {
    /// One listener: an address and a port.
    public struct Endpoint: Sendable, Hashable {
        public var address: [UInt8]
        public var port: Int
        public init(address: [UInt8], port: Int) {
            self.address = address
            self.port = port
        }
    }

    /// Networks no http target reaches, whatever the operator or a policy says.
    public static let alwaysDenied: [IPNetwork] = [
        "169.254.0.0/16", "fe80::/10",  // link-local, cloud metadata
        "0.0.0.0/8", "::/128",  // unspecified ("this host")
        "224.0.0.0/4", "ff00::/8",  // multicast
        "255.255.255.255/32",  // broadcast
    ].compactMap(IPNetwork.init)

    /// The operator's denied networks, beyond ``alwaysDenied``.
    public let deniedNetworks: [IPNetwork]
    /// Fixed listeners: etcd's endpoints and this replica's own.
    public let deniedEndpoints: [Endpoint]
    private let memberEndpoints = Mutex<[Endpoint]>([])
    private let resolutions = HostResolutions(resolve: HTTPFence.resolve)

    /// A fence denying `networks` (beyond ``alwaysDenied``) and the listeners `endpoints`.
    public init(deniedNetworks networks: [IPNetwork] = [], deniedEndpoints endpoints: [Endpoint] = []) {
        deniedNetworks = networks
        deniedEndpoints = endpoints
    }

    /// Replaces the other replicas' advertised listeners (from their membership records).
    public func setMemberEndpoints(_ endpoints: [Endpoint]) {
        memberEndpoints.withLock { $0 = endpoints }
    }

    /// The addresses `url` may be connected to; a refusal names the host, the address and
    /// the rule.
    public func vet(_ url: URL, policy: Etcron_V1_TargetPolicy?) -> Result<[[UInt8]], Refusal> {
        guard let host = url.host, !host.isEmpty else { return .failure(Refusal("\(url) has no host")) }
        let port = url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
        let addresses = IPNetwork.address(host).map { [$0] } ?? resolutions.addresses(of: host)
        guard !addresses.isEmpty else { return .failure(Refusal("host \(host) cannot be resolved")) }
        let members = memberEndpoints.withLock { $0 }
        for address in addresses {
            let text = IPNetwork.text(IPNetwork.unmapped(address))
            let named = host == text ? text : "\(host) (\(text))"
            if let network = (Self.alwaysDenied + deniedNetworks).first(where: { $0.contains(address) }) {
                return .failure(Refusal("\(named) is in \(network), which etcron never connects http targets to"))
            }
            if (deniedEndpoints + members).contains(where: { $0.port == port && IPNetwork(host: $0.address).contains(address) }) {
                return .failure(Refusal("\(named):\(port) is etcd or an etcron replica, which http targets may not reach"))
            }
            if let policy, let reason = policy.refusal(ofAddress: address) {
                return .failure(Refusal("\(named): \(reason)"))
            }
        }
        return .success(addresses)
    }

    /// Why a connection is refused.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Every address `host` resolves to (IPv4 and IPv6), through the system resolver.
    public static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [[UInt8]] = []
        var node = list
        while let current = node {
            if let raw = current.pointee.ai_addr, let address = bytes(of: raw) { addresses.append(address) }
            node = current.pointee.ai_next
        }
        var seen = Set<[UInt8]>()
        return addresses.filter { seen.insert($0).inserted }
    }

    /// The listeners of `hostPorts` (`host:port`, `[v6]:port`, an optional `http://` or
    /// `https://`): every address each host resolves to; a wildcard host (`0.0.0.0`, `::`)
    /// stands for every address of this machine.
    public static func endpoints(_ hostPorts: [String]) -> [Endpoint] {
        var endpoints: [Endpoint] = []
        for entry in hostPorts {
            var text = entry
            for scheme in ["http://", "https://"] where text.lowercased().hasPrefix(scheme) { text = String(text.dropFirst(scheme.count)) }
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { continue }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let wildcard = host.isEmpty || host == "0.0.0.0" || host == "::"
            let addresses = wildcard ? localAddresses() : (IPNetwork.address(host).map { [$0] } ?? resolve(host))
            endpoints += addresses.map { Endpoint(address: $0, port: port) }
        }
        return endpoints
    }

    /// Every address of this machine's interfaces.
    static func localAddresses() -> [[UInt8]] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [[UInt8]] = []
        var node = list
        while let current = node {
            if let raw = current.pointee.ifa_addr, let address = bytes(of: raw) { addresses.append(address) }
            node = current.pointee.ifa_next
        }
        return addresses
    }

    /// The address bytes of an IPv4 or IPv6 socket address; nil for another family.
    private static func bytes(of raw: UnsafeMutablePointer<sockaddr>) -> [UInt8]? {
        switch Int32(raw.pointee.sa_family) {
        case AF_INET:
            var address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            return withUnsafeBytes(of: &address) { Array($0) }
        case AF_INET6:
            var address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            return withUnsafeBytes(of: &address) { Array($0) }
        default:
            return nil
        }
    }
}
