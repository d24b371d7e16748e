import EtcronCore
import Foundation
import HeapModule

/// The next wake time of every job, earliest first. A job has at most one live entry:
/// re-scheduling bumps its generation, and stale entries are skipped when popped.
struct TimerHeap: Sendable {
    private struct Entry: Comparable, Sendable {
        var when: Date
        var job: JobID
        var generation: UInt64

        static func < (lhs: Entry, rhs: Entry) -> Bool { lhs.when < rhs.when }
        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.when == rhs.when && lhs.job == rhs.job }
    }

    private var heap = Heap<Entry>()
    private var generations: [JobID: UInt64] = [:]
    /// One counter for all jobs, so a stale entry never matches a later schedule of its
    /// job (a per-job count would restart after a pop).
    private var lastGeneration: UInt64 = 0

    /// Number of jobs with a pending wake.
    var count: Int { generations.count }

    /// Sets `job`'s wake to `when` (nil: no timed wake), replacing any earlier one.
    mutating func schedule(_ job: JobID, at when: Date?) {
        guard let when else {
            generations[job] = nil
            return
        }
        lastGeneration &+= 1
        let generation = lastGeneration
        generations[job] = generation
        heap.insert(Entry(when: when, job: job, generation: generation))
        compactIfStale()
    }

    /// Removes and returns every job due at `now`.
    mutating func popDue(now: Date) -> [JobID] {
        var due: [JobID] = []
        while let first = heap.min, first.when <= now {
            heap.removeMin()
            if generations[first.job] == first.generation {
                generations[first.job] = nil
                due.append(first.job)
            }
        }
        return due
    }

    /// The earliest live wake.
    mutating func nextWake() -> Date? {
        while let first = heap.min {
            if generations[first.job] == first.generation { return first.when }
            heap.removeMin()
        }
        return nil
    }

    /// Rebuilds the heap when stale entries dominate, so memory stays proportional to jobs.
    private mutating func compactIfStale() {
        guard heap.count > 1024, heap.count > 2 * generations.count else { return }
        heap = Heap(heap.unordered.filter { generations[$0.job] == $0.generation })
    }
}
