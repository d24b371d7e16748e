import EtcdProto
import Foundation

/// One condition of a Txn: a key's value, version, create revision, mod revision or lease
/// compared with a constant.
public struct Compare: Sendable, Hashable {
    /// The comparison.
    public enum Operator: Sendable, Hashable { case equal, notEqual, greater, less }

    enum Target: Sendable, Hashable {
        case value(Data)
        case version(Int64)
        case createRevision(Int64)
        case modRevision(Int64)
        case lease(Int64)
    }

    let keys: KeyRange
    let op: Operator
    let target: Target

    /// The key's value compared with `value`.
    public static func value(_ key: String, _ op: Operator, _ value: Data) -> Compare {
        Compare(keys: .key(key), op: op, target: .value(value))
    }

    /// The key's version (0 when absent) compared with `version`.
    public static func version(_ key: String, _ op: Operator, _ version: Int64) -> Compare {
        Compare(keys: .key(key), op: op, target: .version(version))
    }

    /// The key's create revision (0 when absent) compared with `revision`; `== 0` means
    /// "the key does not exist", and equality with a leader key's create revision is the
    /// fence of every leader write.
    public static func createRevision(_ key: String, _ op: Operator, _ revision: Int64) -> Compare {
        Compare(keys: .key(key), op: op, target: .createRevision(revision))
    }

    /// The key's last modification revision compared with `revision`.
    public static func modRevision(_ key: String, _ op: Operator, _ revision: Int64) -> Compare {
        Compare(keys: .key(key), op: op, target: .modRevision(revision))
    }

    /// The key's lease ID compared with `lease`.
    public static func lease(_ key: String, _ op: Operator, _ lease: Int64) -> Compare {
        Compare(keys: .key(key), op: op, target: .lease(lease))
    }

    /// The same comparison applied to every key in `keys` (all must satisfy it).
    public func over(_ keys: KeyRange) -> Compare {
        Compare(keys: keys, op: op, target: target)
    }

    var proto: Etcdserverpb_Compare {
        var compare = Etcdserverpb_Compare()
        (compare.key, compare.rangeEnd) = keys.bounds
        switch op {
        case .equal: compare.result = .equal
        case .notEqual: compare.result = .notEqual
        case .greater: compare.result = .greater
        case .less: compare.result = .less
        }
        switch target {
        case .value(let value):
            compare.target = .value
            compare.targetUnion = .value(value)
        case .version(let version):
            compare.target = .version
            compare.targetUnion = .version(version)
        case .createRevision(let revision):
            compare.target = .create
            compare.targetUnion = .createRevision(revision)
        case .modRevision(let revision):
            compare.target = .mod
            compare.targetUnion = .modRevision(revision)
        case .lease(let lease):
            compare.target = .lease
            compare.targetUnion = .lease(lease)
        }
        return compare
    }
}
