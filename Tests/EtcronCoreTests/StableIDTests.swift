import CronSchedule
import EtcronCore
import Testing

/// Run IDs are stored and handed to targets as idempotency keys, so they must never
/// change across versions: these values are pinned (computed independently of the code).
@Suite("Stable IDs")
struct StableIDTests {
    @Test("scheduled and manual run IDs are pinned forever")
    func pinned() {
        #expect(RunID.scheduled(tenant: "acme", job: "payroll", scheduledUnix: 1_767_268_800) == "s-001767268800-49da36197f6f5eb8")
        #expect(RunID.manual(tenant: "acme", job: "payroll", triggerID: "1767225600000-9f86d081") == "m-1767225600000-9f86d081-33c245f7ba42e29f")
    }

    @Test("the streaming hash equals the one-shot hash of the same bytes")
    func streaming() {
        var hash = StableHash()
        hash.feed("acme")
        hash.feed(CollectionOfOne(UInt8(ascii: "/")))
        hash.feed("payroll@1767268800")
        #expect(hash.value == StableHash.fnv1a64("acme/payroll@1767268800"))
        #expect(hash.value == 0x49da_3619_7f6f_5eb8)
    }
}
