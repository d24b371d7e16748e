import CronSchedule
import Testing

/// Whatever the input, parsing returns a schedule or throws; it never traps. A schedule
/// that parses must also evaluate without trapping.
@Suite("Fuzz: the parser never crashes")
struct FuzzTests {
    static let tokens = [
        "*", "/", "-", ",", " ", "L", "W", "LW", "#", "H", "(", ")", "?", "@", "0", "1", "7", "9", "59", "60", "99",
        "99999999999999999999", "-1", "JAN", "mon", "FRI", "5L", "1#5", "\t", "@every", "h", "m", "s", "d", "é", "\u{0}",
        "H(0-29)", "H/15", "*/0", "*/1000000",
    ]

    static func exercise(_ text: String, seed: String?) {
        guard let schedule = try? CronSchedule(text, seed: seed) else { return }
        let t = at("2025-06-01T00:00:00Z")
        if let next = schedule.next(after: t) { #expect(next > t, "\(text)") }
        if let previous = schedule.previous(before: t) { #expect(previous < t, "\(text)") }
        _ = schedule.count(after: t, atOrBefore: t.adding(seconds: 86_400))
        _ = schedule.explanation
        #expect((try? CronSchedule(schedule.expression)) == schedule, "canonical of \(text)")
    }

    @Test("Random bytes are refused or parsed, never a crash")
    func randomBytes() {
        var rng = SeededGenerator(seed: 0xF022)
        for _ in 0..<4_000 {
            let length = Int.random(in: 0...40, using: &rng)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            Self.exercise(String(decoding: bytes, as: UTF8.self), seed: nil)
            let ascii = (0..<length).map { _ in UInt8.random(in: 32...126, using: &rng) }
            Self.exercise(String(decoding: ascii, as: UTF8.self), seed: "fuzz")
        }
    }

    @Test("Near-valid expressions are refused or parsed, never a crash")
    func nearValid() {
        var rng = SeededGenerator(seed: 0xF023)
        let bases = ["0 9 * * 1-5", "*/15 * * * *", "0 0 L * *", "0 0 * * 5L", "0 0 * * 1#2", "H H * * *",
                     "30 0 9 * * *", "@every 1h30m", "@daily", "0 0 29 2 *", "0 0 1-7 * */7", "H(0-29)/10 * * * *"]
        var parsed = 0
        for _ in 0..<6_000 {
            var parts = Array(bases[Int.random(in: 0..<bases.count, using: &rng)]).map(String.init)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let token = Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &rng)]
                let position = Int.random(in: 0...parts.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: parts.insert(token, at: position)
                case 1: if position < parts.count { parts[position] = token }
                default: if position < parts.count { parts.remove(at: position) }
                }
            }
            let text = parts.joined()
            if (try? CronSchedule(text, seed: "tenant/job")) != nil { parsed += 1 }
            Self.exercise(text, seed: Bool.random(using: &rng) ? "tenant/job" : nil)
        }
        // The mutations must leave enough valid expressions to exercise evaluation too.
        #expect(parsed > 300)
    }

    @Test("Huge numbers in every position are errors, not overflows")
    func hugeNumbers() {
        let huge = "99999999999999999999999999999999"
        for field in 0..<6 {
            var fields = ["0", "0", "1", "1", "*", "*"]
            fields[field] = huge
            #expect(parseError(fields.joined(separator: " "))?.code == .outOfRange)
            fields[field] = "1-\(huge)"
            #expect(parseError(fields.joined(separator: " ")) != nil)
            fields[field] = "*/\(huge)"
            #expect(parseError(fields.joined(separator: " "))?.code == .invalidStep)
        }
        #expect(parseError("@every \(huge)s")?.code == .invalidDuration)
        #expect(parseError("0 0 * * 1#\(huge)") != nil)
    }
}
