import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hands out free TCP ports on 127.0.0.1, never the same port twice in one process.
///
/// A port is checked by binding a socket to it and closing that socket again, so another
/// process can still take it before etcd binds; `EtcdCluster` retries a start that fails
/// with "address already in use". Candidates are drawn below the kernel's ephemeral range
/// (`ip_local_port_range`) where possible: ports from `bind(:0)` come from that range,
/// which is also where every outgoing connection (etcd peers dialling each other, clients)
/// takes its local port, so a port freed by a killed member could be taken by a connection
/// before the member restarts. Outside that range only a deliberate `bind` can collide.
public enum LoopbackPorts {
    private static let handedOut = Mutex<Set<Int>>([])

    /// One free port that this process has not handed out before.
    public static func allocate() throws -> Int {
        try allocate(count: 1)[0]
    }

    /// `count` distinct free ports that this process has not handed out before.
    public static func allocate(count: Int) throws -> [Int] {
        try handedOut.withLock { used in
            var ports: [Int] = []
            for _ in 0..<count {
                guard let port = findPort(excluding: used) else {
                    throw HarnessError(.noFreePort, "no free TCP port on 127.0.0.1 after \(ports.count) of \(count)")
                }
                used.insert(port)
                ports.append(port)
            }
            return ports
        }
    }

    /// Whether a TCP socket can bind 127.0.0.1:`port` right now.
    public static func isFree(_ port: Int) -> Bool {
        bindLoopback(port: port) == port
    }

    private static func findPort(excluding used: Set<Int>) -> Int? {
        let ephemeralStart = ephemeralRange()?.lowerBound ?? 32768
        let low = 15000
        if ephemeralStart - low >= 1000 {
            for _ in 0..<200 {
                let candidate = Int.random(in: low..<ephemeralStart)
                if !used.contains(candidate), isFree(candidate) { return candidate }
            }
        }
        // Fall back to letting the kernel pick (from the ephemeral range).
        for _ in 0..<200 {
            if let port = bindLoopback(port: 0), !used.contains(port) { return port }
        }
        return nil
    }

    /// Binds a TCP socket to 127.0.0.1:`port` (0: any), closes it and returns the port
    /// that was bound, or nil if binding failed.
    private static func bindLoopback(port: Int) -> Int? {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in.loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { return nil }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: actual.sin_port))
    }

    private static func ephemeralRange() -> ClosedRange<Int>? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) else {
            return nil
        }
        let bounds = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { return nil }
        return bounds[0]...bounds[1]
    }
}

extension sockaddr_in {
    /// 127.0.0.1:`port`.
    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: in_addr_t(0x7F00_0001).bigEndian)
        #if canImport(Darwin)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        return address
    }
}
