import EtcronCore
import Foundation

/// Keeps the last `capacity` bytes written to it and counts the rest.
///
/// A run's output is kept this way so that a chatty target cannot grow the executor's
/// memory: whatever it prints, at most `capacity` bytes are held (plus the reader's
/// fixed-size read buffer).
struct OutputRingBuffer: Sendable {
    /// How many bytes are kept at most.
    let capacity: Int
    /// The kept bytes; once full, `head` is the index of the oldest one.
    private var storage: [UInt8] = []
    private var head = 0
    /// Every byte ever appended, kept or not.
    private(set) var totalBytes: Int64 = 0

    /// An empty buffer that keeps at most `capacity` bytes.
    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Bytes appended but no longer kept.
    var droppedBytes: Int64 { totalBytes - Int64(storage.count) }

    /// Whether nothing was ever appended.
    var isEmpty: Bool { totalBytes == 0 }

    /// The kept bytes, oldest first.
    var data: Data {
        var result = Data(capacity: storage.count)
        result.append(contentsOf: storage[head...])
        result.append(contentsOf: storage[..<head])
        return result
    }

    /// Appends `bytes`, dropping the oldest kept bytes beyond `capacity`.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        totalBytes += Int64(bytes.count)
        guard capacity > 0, !bytes.isEmpty else { return }
        if bytes.count >= capacity {
            storage = Array(bytes[(bytes.count - capacity)...])
            head = 0
            return
        }
        var remaining = bytes[...]
        if storage.count < capacity {
            let take = min(capacity - storage.count, remaining.count)
            storage.append(contentsOf: remaining.prefix(take))
            remaining = remaining.dropFirst(take)
        }
        // Full: overwrite the oldest bytes, wrapping around at most once.
        while !remaining.isEmpty {
            let take = min(capacity - head, remaining.count)
            storage.withUnsafeMutableBytes { target in
                let destination = UnsafeMutableRawBufferPointer(rebasing: target[head..<(head + take)])
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: remaining.prefix(take)))
            }
            remaining = remaining.dropFirst(take)
            head = (head + take) % capacity
        }
    }

    /// Appends the bytes of `data`.
    mutating func append(_ data: Data) {
        data.withUnsafeBytes { append($0) }
    }

    /// Appends the UTF-8 bytes of `text`.
    mutating func append(_ text: String) {
        append(Data(text.utf8))
    }

    /// Appends everything `other` kept, and counts what it dropped as dropped here too.
    mutating func append(contentsOf other: OutputRingBuffer) {
        append(other.data)
        totalBytes += other.droppedBytes
    }
}
