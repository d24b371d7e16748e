import CronSchedule
import Testing

@Suite("H: stable hashed values")
struct HashTests {
    @Test("FNV-1a 64 matches its published test vectors")
    func vectors() {
        #expect(StableHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    /// Pinned values, computed independently of this library (FNV-1a 64 of
    /// "<seed>:<field>" modulo the field's H range). Changing any of them moves real jobs.
    @Test("H resolves to the same values in every process and version", arguments: [
        ("H * * * *", "acme/payroll", "25 * * * *"),
        ("H H * * *", "acme/payroll", "25 19 * * *"),
        ("H H * * *", "acme/invoices", "26 4 * * *"),
        ("H/15 * * * *", "acme/payroll", "10-59/15 * * * *"),
        ("H H(0-5) * * 1-5", "tenant-7/backup", "54 2 * * 1-5"),
        ("0 0 H * *", "acme/payroll", "0 0 27 * *"),
        ("0 0 * * H", "acme/payroll", "0 0 * * 2"),
        ("H H H H H", "x", "23 17 21 12 4"),
        ("H(10-19)/5 * * * * *", "acme/payroll", "11-19/5 * * * * *"),
    ])
    func pinned(expression: String, seed: String, canonical: String) throws {
        #expect(try CronSchedule(expression, seed: seed).expression == canonical)
    }

    @Test("Different seeds spread H over the hour")
    func spreads() throws {
        var minutes = Set<String>()
        for job in 0..<600 {
            minutes.insert(try CronSchedule("H * * * *", seed: "tenant/job-\(job)").expression)
        }
        #expect(minutes.count == 60)
    }
}
