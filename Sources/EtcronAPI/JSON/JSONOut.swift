import Foundation

/// Compact JSON written straight into bytes, as Foundation's `JSONEncoder` writes it with
/// `[.sortedKeys, .withoutEscapingSlashes]` (the contract's encoder): same escapes, same
/// key order, same numbers, byte for byte, without building the encoder's tree first.
/// Used where the API answers many records at once (see ``JobJSON``).
///
/// An object's members must be written in Foundation's sorted order (``precedes(_:_:)``):
/// fixed names in the order their writer lists them (checked in debug builds), a
/// dictionary's keys sorted here.
struct JSONOut {
    private(set) var bytes: [UInt8] = []
    #if DEBUG
    /// Per open object, the last key written (debug builds check the order).
    private var lastKeys: [String?] = []
    #endif
    /// Per open object or array, whether a member was written (a comma is due).
    private var started: [Bool] = []
    /// Whether a key was just written (its value takes no comma).
    private var afterKey = false

    init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    /// Foundation's sorted-keys order here: String's own (`createRevision` before
    /// `createdAt`, `a10` before `a9`).
    static func precedes(_ a: String, _ b: String) -> Bool {
        a < b
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        #if DEBUG
        lastKeys.append(nil)
        #endif
        started.append(false)
    }

    mutating func endObject() {
        #if DEBUG
        lastKeys.removeLast()
        #endif
        started.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        #if DEBUG
        lastKeys.append(nil)
        #endif
        started.append(false)
    }

    mutating func endArray() {
        #if DEBUG
        lastKeys.removeLast()
        #endif
        started.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a member's key; its value follows.
    mutating func key(_ key: String) {
        #if DEBUG
        assert(lastKeys.last.map { $0.map { Self.precedes($0, key) } ?? true } ?? false, "key \(key) out of Foundation's sorted order")
        lastKeys[lastKeys.count - 1] = key
        #endif
        separate()
        quoted(key)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    mutating func string(_ value: String) {
        separate()
        quoted(value)
    }

    /// `value` in quotes, escaped as Foundation escapes it (slashes left alone).
    private mutating func quoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0c: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0a: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0d: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func integer<Value: BinaryInteger>(_ value: Value) {
        separate()
        bytes += String(value).utf8
    }

    mutating func bool(_ value: Bool) {
        separate()
        bytes += (value ? "true" : "false").utf8
    }

    /// A `[String: String]` as an object, keys in Foundation's sorted order.
    mutating func dictionary(_ value: [String: String]) {
        beginObject()
        for (key, member) in value.sorted(by: { Self.precedes($0.key, $1.key) }) {
            self.key(key)
            string(member)
        }
        endObject()
    }

    /// A comma before every member of an object or array but its first.
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard let last = started.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) }
        started[started.count - 1] = true
    }
}
