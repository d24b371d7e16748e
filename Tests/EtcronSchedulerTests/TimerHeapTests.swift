import EtcronCore
@testable import EtcronScheduler
import Foundation
import Testing

/// The leader's timer heap, without etcd or a clock: times are plain dates.
@Suite("Timer heap")
struct TimerHeapTests {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)
    static func job(_ name: String) -> JobID { JobID(tenant: "t", name: name) }

    @Test("due jobs pop in time order; later ones wait, and the next wake is the earliest live one")
    func order() {
        var heap = TimerHeap()
        heap.schedule(Self.job("c"), at: Self.t0 + 30)
        heap.schedule(Self.job("a"), at: Self.t0 + 10)
        heap.schedule(Self.job("b"), at: Self.t0 + 20)
        #expect(heap.count == 3)
        #expect(heap.nextWake() == Self.t0 + 10)
        #expect(heap.popDue(now: Self.t0 + 20) == [Self.job("a"), Self.job("b")])
        #expect(heap.nextWake() == Self.t0 + 30)
        #expect(heap.popDue(now: Self.t0 + 29).isEmpty)
        #expect(heap.popDue(now: Self.t0 + 30) == [Self.job("c")])
        #expect(heap.nextWake() == nil && heap.count == 0)
    }

    @Test("rescheduling replaces a job's wake (earlier or later); nil removes it; a stale entry never fires")
    func reschedule() {
        var heap = TimerHeap()
        heap.schedule(Self.job("a"), at: Self.t0 + 10)
        heap.schedule(Self.job("a"), at: Self.t0 + 50)
        heap.schedule(Self.job("b"), at: Self.t0 + 20)
        heap.schedule(Self.job("b"), at: Self.t0 + 5)
        heap.schedule(Self.job("c"), at: Self.t0 + 1)
        heap.schedule(Self.job("c"), at: nil)
        #expect(heap.count == 2)
        #expect(heap.nextWake() == Self.t0 + 5)
        #expect(heap.popDue(now: Self.t0 + 40) == [Self.job("b")], "a's old 10 s entry is stale, c was removed")
        // Popped, then scheduled at the very time of its stale entry: it fires once.
        heap.schedule(Self.job("b"), at: Self.t0 + 50)
        #expect(heap.popDue(now: Self.t0 + 60) == [Self.job("a"), Self.job("b")])
        #expect(heap.popDue(now: Self.t0 + 600).isEmpty)
    }

    @Test("stale entries are compacted away without losing a live one")
    func compaction() {
        var heap = TimerHeap()
        let jobs = (0..<10).map { Self.job("j\($0)") }
        for round in 0..<1000 {
            for (index, job) in jobs.enumerated() { heap.schedule(job, at: Self.t0 + Double(round * 10 + index)) }
        }
        #expect(heap.count == 10)
        let due = heap.popDue(now: Self.t0 + 100_000)
        #expect(Set(due) == Set(jobs) && due.count == 10)
    }
}
