#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// This machine's host name, the default `replica-id` (in Kubernetes, the pod name).
enum Hostname {
    /// `gethostname(2)`, lower-cased because DNS names are case-insensitive and replica IDs
    /// must be lowercase; "localhost" if the call fails.
    static func current() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name.lowercased()
    }
}
