/// FNV-1a, 64 bit, over UTF-8 bytes.
///
/// `H` must pick the same value on every replica, in every process and in every
/// version of etcron, forever: moving a job's fire time because the binary changed
/// would double or drop runs. Swift's `Hasher` is randomly seeded per process, so it is
/// never used for this. FNV-1a is tiny, fixed by its specification, and spreads short
/// strings well enough for choosing a minute.
public enum StableHash {
    /// The FNV-1a 64-bit hash of the UTF-8 bytes of `text`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The hash `H` uses for one field: FNV-1a 64 of `"<seed>:<field name>"`, so that
    /// `H H * * *` picks minute and hour independently.
    static func value(seed: String, field: CronField) -> UInt64 {
        fnv1a64(seed + ":" + field.name)
    }
}
