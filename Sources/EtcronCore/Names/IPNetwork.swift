#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `fd00::/8`): what a target
/// policy allows or denies, and what the executor checks every address it connects to
/// against. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are checked as the IPv4
/// address they carry, so a v6 spelling is no way around a v4 rule.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network's address bytes (4 or 16), with the host bits cleared.
    public let bytes: [UInt8]
    /// The prefix length: 0 to 32 (IPv4) or 128 (IPv6).
    public let prefixLength: Int

    /// Parses `ADDRESS/LENGTH`; nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = Self.address(String(parts[0])), let length = Int(parts[1]),
            (0...(address.count * 8)).contains(length), parts[1].allSatisfy(\.isASCII)
        else { return nil }
        prefixLength = length
        bytes = Self.masked(address, length)
    }

    /// The network of exactly one address.
    public init(host address: [UInt8]) {
        bytes = address
        prefixLength = address.count * 8
    }

    /// Whether `address` (4 or 16 bytes) is in this network.
    public func contains(_ address: [UInt8]) -> Bool {
        let candidate = Self.unmapped(address)
        guard candidate.count == bytes.count else { return false }
        return Self.masked(candidate, prefixLength) == bytes
    }

    public var description: String { "\(Self.text(bytes))/\(prefixLength)" }

    /// The bytes of an IPv4 or IPv6 address literal (an IPv6 one may be in brackets); nil
    /// when `text` is not one (a host name).
    public static func address(_ text: String) -> [UInt8]? {
        var literal = text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// An address as text (`10.0.0.1`, `fe80::1`).
    public static func text(_ address: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = address.count == 4 ? AF_INET : AF_INET6
        let ok = address.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        guard ok else { return address.map(String.init).joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An IPv4-mapped IPv6 address as its IPv4 address; anything else as it is.
    public static func unmapped(_ address: [UInt8]) -> [UInt8] {
        guard address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xff, address[11] == 0xff else { return address }
        return Array(address[12..<16])
    }

    private static func masked(_ address: [UInt8], _ length: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let bits = max(0, min(8, length - index * 8))
            return bits == 8 ? byte : byte & ~(UInt8(0xff) >> bits)
        }
    }
}
