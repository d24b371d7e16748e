/// The POSIX TZ string at the end of a TZif file (e.g. `EST5EDT,M3.2.0,M11.1.0`), which
/// gives a zone's offsets for every time after the file's last explicit transition.
struct PosixTimeZoneRule: Sendable, Hashable {
    /// A day-of-year rule: `Jn`, `n` or `Mm.w.d`.
    enum RuleDate: Sendable, Hashable {
        /// `Jn`: day 1...365, February 29 never counted.
        case julianNoLeap(Int64)
        /// `n`: day 0...365, February 29 counted.
        case zeroBased(Int64)
        /// `Mm.w.d`: weekday d (0 = Sunday) of week w (1...5, 5 = last) of month m.
        case monthWeekDay(month: Int64, week: Int64, weekday: Int64)

        /// The day number (days since 1970-01-01) this rule names in a year.
        func day(in year: Int64) -> Int64 {
            let january1 = CivilTime.daysFromCivil(year: year, month: 1, day: 1)
            switch self {
            case .julianNoLeap(let n):
                return january1 + n - 1 + (CivilTime.isLeapYear(year) && n >= 60 ? 1 : 0)
            case .zeroBased(let n):
                return january1 + n
            case .monthWeekDay(let month, let week, let weekday):
                let first = CivilTime.daysFromCivil(year: year, month: month, day: 1)
                let length = CivilTime.daysInMonth(year: year, month: month)
                var dayOfMonth = 1 + (weekday - CivilTime.weekday(ofDay: first) + 7) % 7 + 7 * (week - 1)
                while dayOfMonth > length { dayOfMonth -= 7 }
                return first + dayOfMonth - 1
            }
        }
    }

    /// Daylight-saving part of the rule.
    struct Daylight: Sendable, Hashable {
        var offset: Int64
        var start: RuleDate
        /// Local (standard) time of day of the switch to daylight time, in seconds; may be
        /// negative or beyond 24 h (TZif version 3).
        var startTime: Int64
        var end: RuleDate
        /// Local (daylight) time of day of the switch back, in seconds.
        var endTime: Int64
    }

    /// Standard offset in seconds east of UTC (POSIX writes it west-positive).
    var standardOffset: Int64
    var daylight: Daylight?

    /// The year's transitions as (UTC instant, offset from then on), in time order.
    func transitions(in year: Int64) -> [(at: Int64, offset: Int64)] {
        guard let daylight else { return [] }
        let start = daylight.start.day(in: year) * CivilTime.secondsPerDay + daylight.startTime - standardOffset
        let end = daylight.end.day(in: year) * CivilTime.secondsPerDay + daylight.endTime - daylight.offset
        let pair: [(at: Int64, offset: Int64)] = [(start, daylight.offset), (end, standardOffset)]
        return start <= end ? pair : [pair[1], pair[0]]
    }

    // MARK: Parsing

    /// Parses a POSIX TZ string; nil if it is not one this reader understands.
    init?(_ text: String) {
        var parser = Scanner(bytes: Array(text.utf8))
        guard parser.skipName(), let standard = parser.readOffset() else { return nil }
        standardOffset = -standard
        if parser.atEnd {
            daylight = nil
            return
        }
        guard parser.skipName() else { return nil }
        var dstOffset = standardOffset + 3600
        if let explicit = parser.readOffset() { dstOffset = -explicit }
        var start = RuleDate.monthWeekDay(month: 3, week: 2, weekday: 0)
        var end = RuleDate.monthWeekDay(month: 11, week: 1, weekday: 0)
        var startTime: Int64 = 7200
        var endTime: Int64 = 7200
        if !parser.atEnd {
            guard parser.consume(","), let s = parser.readDate() else { return nil }
            start = s
            if parser.consume("/") { guard let t = parser.readOffset() else { return nil }; startTime = t }
            guard parser.consume(","), let e = parser.readDate() else { return nil }
            end = e
            if parser.consume("/") { guard let t = parser.readOffset() else { return nil }; endTime = t }
        }
        guard parser.atEnd else { return nil }
        daylight = Daylight(offset: dstOffset, start: start, startTime: startTime, end: end, endTime: endTime)
    }

    private struct Scanner {
        var bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }

        mutating func consume(_ character: Character) -> Bool {
            guard !atEnd, let ascii = character.asciiValue, bytes[index] == ascii else { return false }
            index += 1
            return true
        }

        /// `<+0545>` or at least three letters.
        mutating func skipName() -> Bool {
            if consume("<") {
                while !atEnd, bytes[index] != UInt8(ascii: ">") { index += 1 }
                return consume(">")
            }
            let start = index
            while !atEnd, (bytes[index] | 0x20) >= UInt8(ascii: "a"), (bytes[index] | 0x20) <= UInt8(ascii: "z") { index += 1 }
            return index - start >= 3
        }

        mutating func readNumber() -> Int64? {
            let start = index
            var value: Int64 = 0
            while !atEnd, bytes[index] >= 0x30, bytes[index] <= 0x39, index - start < 4 {
                value = value * 10 + Int64(bytes[index] - 0x30)
                index += 1
            }
            return index > start ? value : nil
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, sign as written.
        mutating func readOffset() -> Int64? {
            var sign: Int64 = 1
            if consume("-") { sign = -1 } else { _ = consume("+") }
            guard let hours = readNumber(), hours <= 167 else { return nil }
            var seconds = hours * 3600
            if consume(":") {
                guard let minutes = readNumber(), minutes < 60 else { return nil }
                seconds += minutes * 60
                if consume(":") {
                    guard let secs = readNumber(), secs < 60 else { return nil }
                    seconds += secs
                }
            }
            return sign * seconds
        }

        mutating func readDate() -> RuleDate? {
            if consume("J") {
                guard let n = readNumber(), (1...365).contains(n) else { return nil }
                return .julianNoLeap(n)
            }
            if consume("M") {
                guard let m = readNumber(), (1...12).contains(m), consume("."),
                      let w = readNumber(), (1...5).contains(w), consume("."),
                      let d = readNumber(), (0...6).contains(d)
                else { return nil }
                return .monthWeekDay(month: m, week: w, weekday: d)
            }
            guard let n = readNumber(), (0...365).contains(n) else { return nil }
            return .zeroBased(n)
        }
    }
}
