import EtcronCore
import Testing

@Suite("Backoff")
struct BackoffTests {
    @Test("delays double from the initial one up to the cap; jitter stays within its share")
    func doubling() {
        let exact = Backoff(initial: .milliseconds(100), maximum: .milliseconds(500), jitter: .none)
        #expect((1...5).map(exact.delay(afterAttempt:)) == [100, 200, 400, 500, 500].map(Duration.milliseconds))
        #expect(exact.delay(afterAttempt: 10_000) == .milliseconds(500))
        let half = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: .half)
        let full = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: .full)
        for attempt in 1...6 {
            let ceiling = exact.ceiling(afterAttempt: attempt)
            #expect(ceiling == Backoff(initial: .milliseconds(100), maximum: .milliseconds(500)).ceiling(afterAttempt: attempt))
            let h = half.delay(afterAttempt: attempt)
            #expect(h <= half.ceiling(afterAttempt: attempt) && h >= half.ceiling(afterAttempt: attempt) / 2)
            #expect(full.delay(afterAttempt: attempt) <= full.ceiling(afterAttempt: attempt))
        }
        #expect(Backoff(initial: .seconds(2), maximum: .seconds(1)).maximum == .seconds(2), "a cap below the start is raised")
    }

    @Test("next() counts failures and reset() starts over")
    func counting() {
        var backoff = Backoff(initial: .milliseconds(10), maximum: .seconds(1), jitter: .none)
        #expect([backoff.next(), backoff.next(), backoff.next()] == [10, 20, 40].map(Duration.milliseconds))
        #expect(backoff.failures == 3)
        backoff.reset()
        #expect(backoff.next() == .milliseconds(10))
    }
}
