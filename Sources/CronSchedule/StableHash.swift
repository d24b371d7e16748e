/// FNV-1a, 64 bit, over UTF-8 bytes: etcron's one stable hash.
///
/// `H` must pick the same value on every replica, in every process and in every
/// version of etcron, forever: moving a job's fire time because the binary changed
/// would double or drop runs. Run IDs are derived from it too, and stored. Swift's
/// `Hasher` is randomly seeded per process, so it is never used for this. FNV-1a is tiny,
/// fixed by its specification, and spreads short strings well enough for choosing a
/// minute. Tests pin stored values: a change here is a data migration.
public struct StableHash: Sendable, Hashable {
    /// The hash of everything fed so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// An empty hash (FNV-1a's offset basis).
    public init() {}

    /// Feeds `bytes`.
    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
    }

    /// Feeds the UTF-8 bytes of `text` (read in place: callers in other modules would
    /// otherwise go through the unspecialized generic `feed`).
    public mutating func feed(_ text: String) {
        var text = text
        text.withUTF8 { feed(buffer: $0) }
    }

    /// Feeds `bytes`.
    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { feed(buffer: $0) }
    }

    /// Feeds one byte.
    public mutating func feed(byte: UInt8) {
        value ^= UInt64(byte)
        value &*= 0x0000_0100_0000_01b3
    }

    private mutating func feed(buffer: UnsafeBufferPointer<UInt8>) {
        for byte in buffer {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
    }

    /// The FNV-1a 64-bit hash of the UTF-8 bytes of `text`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash = StableHash()
        hash.feed(text)
        return hash.value
    }

    /// The hash `H` uses for one field: FNV-1a 64 of `"<seed>:<field name>"`, so that
    /// `H H * * *` picks minute and hour independently.
    static func value(seed: String, field: CronField) -> UInt64 {
        fnv1a64(seed + ":" + field.name)
    }
}
