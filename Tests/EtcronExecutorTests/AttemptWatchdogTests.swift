@testable import EtcronExecutor
import Testing

/// The http attempt's watchdog: a timeout or a stop, whichever comes first, cancels the
/// work; after the work ends nothing counts.
@Suite("Attempt watchdog")
struct AttemptWatchdogTests {
    /// Work that sleeps up to 30 s and says whether it was cancelled.
    static func sleeper() -> Task<Bool, Never> {
        Task { (try? await Task.sleep(for: .seconds(30))) == nil }
    }

    @Test("a timeout cancels the work and is reported")
    func timeout() async {
        let watchdog = AttemptWatchdog(Self.sleeper(), timeout: .milliseconds(50), stop: RunStopSignal())
        let (cancelled, interruption) = await watchdog.finish()
        #expect(cancelled && interruption == .timedOut(.milliseconds(50)))
    }

    @Test("a stop, before or during the work, cancels it with its reason; the first cause wins")
    func stop() async {
        let early = RunStopSignal()
        early.stop("stopped early")
        let (cancelledEarly, first) = await AttemptWatchdog(Self.sleeper(), timeout: .milliseconds(200), stop: early).finish()
        #expect(cancelledEarly && first == .stopped("stopped early"))

        let signal = RunStopSignal()
        let watchdog = AttemptWatchdog(Self.sleeper(), timeout: nil, stop: signal)
        Task {
            try? await Task.sleep(for: .milliseconds(30))
            signal.stop("Replace: stop requested")
        }
        let (cancelled, interruption) = await watchdog.finish()
        #expect(cancelled && interruption == .stopped("Replace: stop requested"))
    }

    @Test("work that ends first is not interrupted, and a later stop changes nothing")
    func endsFirst() async {
        let signal = RunStopSignal()
        let quick = Task { 7 }
        let (value, interruption) = await AttemptWatchdog(quick, timeout: .milliseconds(20), stop: signal).finish()
        #expect(value == 7 && interruption == nil)
        #expect(signal.stop("late"), "the stop is still the run's own to take")
        try? await Task.sleep(for: .milliseconds(40))
    }
}
