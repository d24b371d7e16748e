import EtcronCore
@testable import EtcronScheduler
import Testing

@Suite("Sync retries")
struct SyncRetriesTests {
    @Test("a job's consecutive failures double its wait, up to the cap; a success forgets it; jobs are apart")
    func perJob() {
        let retries = SyncRetries(backoff: Backoff(initial: .milliseconds(250), maximum: .seconds(2), jitter: .none))
        let a = JobID(tenant: "t", name: "a")
        let b = JobID(tenant: "t", name: "b")
        #expect((1...5).map { _ in retries.failed(a) } == [250, 500, 1000, 2000, 2000].map(Duration.milliseconds))
        #expect(retries.failed(b) == .milliseconds(250), "b's first failure is not slowed by a's")
        retries.succeeded([a])
        #expect(retries.failures(of: a) == 0 && retries.failures(of: b) == 1)
        #expect(retries.failed(a) == .milliseconds(250))
    }
}
