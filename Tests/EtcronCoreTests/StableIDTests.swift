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

    @Test("a scheduled run ID is its format spelled out, for any time and any names")
    func scheduledFormat() {
        func spelled(_ tenant: String, _ job: String, _ time: Int64) -> String {
            let digits = String(max(0, time))
            let hex = String(StableHash.fnv1a64("\(tenant)/\(job)@\(time)"), radix: 16)
            return "s-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + "-"
                + String(repeating: "0", count: 16 - hex.count) + hex
        }
        let times: [Int64] = [0, 1, 9, 10, 59, 1_767_268_800, 999_999_999_999, 1_000_000_000_000, 12_345_678_901_234, -1, -86_400, .max, .min]
        for time in times {
            for (tenant, job) in [("acme", "payroll"), ("t", "j"), ("ünï", "cödé"), ("", "")] {
                #expect(RunID.scheduled(tenant: tenant, job: job, scheduledUnix: time) == spelled(tenant, job, time), "\(tenant)/\(job)@\(time)")
            }
        }
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
