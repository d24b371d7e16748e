/// One comma-separated element of a field, after parsing and after `H` is resolved.
///
/// The parser produces these; the compiler turns them into bit sets, the canonical
/// expression is printed from them, and the English description reads them.
enum FieldElement: Sendable, Hashable {
    /// `*` or `*/step`.
    case all(step: Int)
    /// `a`, `a-b`, `a-b/step` or `a/step` (which means `a-<max>/step`).
    case range(low: Int, high: Int, step: Int)
    /// `L` in day-of-month: the last day of the month.
    case lastDayOfMonth
    /// `LW` in day-of-month: the last weekday (Monday-Friday) of the month.
    case lastWeekdayOfMonth
    /// `nL` in day-of-week: the last such weekday of the month (`5L` = last Friday).
    case lastWeekday(Int)
    /// `n#k` in day-of-week: the k-th such weekday of the month (`1#2` = second Monday).
    case nthWeekday(weekday: Int, nth: Int)

    /// The element as written in a canonical expression.
    var canonicalText: String {
        switch self {
        case .all(let step): step == 1 ? "*" : "*/\(step)"
        case .range(let low, let high, let step):
            if low == high { "\(low)" } else if step == 1 { "\(low)-\(high)" } else { "\(low)-\(high)/\(step)" }
        case .lastDayOfMonth: "L"
        case .lastWeekdayOfMonth: "LW"
        case .lastWeekday(let weekday): "\(weekday)L"
        case .nthWeekday(let weekday, let nth): "\(weekday)#\(nth)"
        }
    }
}

/// A field as parsed: its elements and whether its text began with `*`, which decides
/// both how day-of-month and day-of-week combine and which DST rule applies.
struct ParsedField: Sendable, Hashable {
    var field: CronField
    var elements: [FieldElement]
    var startsWithStar: Bool

    /// The elements joined with commas.
    var canonicalText: String {
        elements.map(\.canonicalText).joined(separator: ",")
    }

    /// The plain values the field matches, as a bit set (bit n = value n), with Sunday
    /// folded to 0 in day-of-week. `L`, `LW`, `nL` and `n#k` are not included.
    var bits: UInt64 {
        var bits: UInt64 = 0
        for element in elements {
            switch element {
            case .all(let step):
                bits |= Self.stepped(low: field.minimum, high: field.maximum, step: step)
            case .range(let low, let high, let step):
                bits |= Self.stepped(low: low, high: high, step: step)
            case .lastDayOfMonth, .lastWeekdayOfMonth, .lastWeekday, .nthWeekday:
                break
            }
        }
        if field == .dayOfWeek, bits & (1 << 7) != 0 {
            bits = (bits & ~(1 << 7)) | 1
        }
        return bits
    }

    private static func stepped(low: Int, high: Int, step: Int) -> UInt64 {
        var bits: UInt64 = 0
        var value = low
        while value <= high {
            bits |= 1 << UInt64(value)
            value += step
        }
        return bits
    }
}
