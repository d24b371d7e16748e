import Foundation

/// Which keys an operation covers: one key, a prefix, a half-open range or everything.
public enum KeyRange: Sendable, Hashable {
    /// Exactly this key.
    case key(String)
    /// Every key starting with this prefix.
    case prefix(String)
    /// Keys in `[from, to)`.
    case range(from: String, to: String)
    /// Every key at or after this one.
    case fromKey(String)
    /// Keys in `[from, to)` as raw bytes (an empty `to`: only `from`; `\0`: to the end),
    /// as a paged read continues a range whose end need not be UTF-8.
    case bytes(from: Data, to: Data)

    /// The `key` and `range_end` fields etcd expects.
    var bounds: (key: Data, rangeEnd: Data) {
        switch self {
        case .key(let key):
            return (Data(key.utf8), Data())
        case .prefix(let prefix):
            let start = Data(prefix.utf8)
            return (start.isEmpty ? Data([0]) : start, Self.prefixEnd(start))
        case .range(let from, let to):
            return (Data(from.utf8), Data(to.utf8))
        case .fromKey(let key):
            return (Data(key.utf8), Data([0]))
        case .bytes(let from, let to):
            return (from, to)
        }
    }

    /// The smallest key greater than every key with `prefix`: the prefix with its last
    /// byte below 0xff incremented and the rest dropped; `\0` (to the end) if none.
    static func prefixEnd(_ prefix: Data) -> Data {
        var bytes = [UInt8](prefix)
        while let last = bytes.last {
            if last < 0xff {
                bytes[bytes.count - 1] = last + 1
                return Data(bytes)
            }
            bytes.removeLast()
        }
        return Data([0])
    }
}
