import EtcronCore
import Synchronization

#if os(Linux)
/// glibc's `int malloc_trim(size_t pad)` (malloc.h, which Swift's Glibc module leaves out).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

/// Hands memory freed after a large burst of syncs (a leader's initial load, the top of
/// the hour) back to the operating system. glibc keeps freed heap pages mapped, so
/// without this the resident size stays at the burst's high-water mark (for example the
/// job index's old storage from every time it grew) instead of what is live.
final class MemoryTrimmer: Sendable {
    private let syncs = Atomic<Int>(0)
    private let threshold: Int

    /// Trims after at least `threshold` syncs, once the work queue is empty.
    init(threshold: Int = 10_000) {
        self.threshold = threshold
    }

    /// Counts `jobs` syncs; trims if enough happened and nothing waits (`queueDepth == 0`).
    func synced(_ jobs: Int = 1, queueDepth: @autoclosure () -> Int) {
        let count = syncs.add(jobs, ordering: .relaxed).newValue
        guard count >= threshold, queueDepth() == 0,
            syncs.compareExchange(expected: count, desired: 0, ordering: .relaxed).exchanged
        else { return }
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }
}
