extension CronSchedule {
    /// The schedule in plain English, e.g. `At minute 0 past every hour from 9 through
    /// 17 on Monday through Friday`, followed by the zone when it is not UTC.
    ///
    /// Meant for people (`etcron schedule explain`, the dashboard); the wording may
    /// improve between versions, so never parse it.
    public var explanation: String {
        var text: String
        switch kind {
        case .every(let seconds):
            text = "Every \(Self.durationText(seconds)), counted from \(anchor)"
        case .calendar:
            guard case .calendar(let fields, let hasSeconds)? = try? CronParser(expression, seed: nil).parse() else {
                return expression
            }
            text = ScheduleDescriber(fields: fields, hasSeconds: hasSeconds).sentence()
        }
        if timeZone != .utc && intervalSeconds == nil { text += ", \(timeZone.identifier) time" }
        return text
    }
}

/// Builds the English sentence for a calendar schedule, field by field.
struct ScheduleDescriber {
    var fields: [ParsedField]
    var hasSeconds: Bool

    private static let monthNames = [
        "", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    private static let weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let ordinalWords = ["", "first", "second", "third", "fourth", "fifth"]

    func sentence() -> String {
        var parts: [String] = [timePhrase()]
        let dayOfMonth = fields[3]
        let dayOfWeek = fields[5]
        let dateIsAll = dayOfMonth.elements == [.all(step: 1)]
        let weekdayIsAll = dayOfWeek.elements == [.all(step: 1)]
        switch (dateIsAll, weekdayIsAll) {
        case (true, true): break
        case (false, true): parts.append("on " + dayOfMonthPhrase(dayOfMonth))
        case (true, false): parts.append("on " + weekdayPhrase(dayOfWeek))
        case (false, false):
            let joiner = dayOfMonth.startsWithStar || dayOfWeek.startsWithStar ? " if it is also " : " or on "
            parts.append("on " + dayOfMonthPhrase(dayOfMonth) + joiner + weekdayPhrase(dayOfWeek))
        }
        let month = fields[4]
        if month.elements != [.all(step: 1)] {
            parts.append("in " + phrase(month, unit: "month") { Self.monthNames[$0] })
        }
        return parts.joined(separator: " ")
    }

    private func isSingle(_ field: ParsedField) -> Int? {
        if field.elements.count == 1, case .range(let low, let high, _) = field.elements[0], low == high { return low }
        return nil
    }

    private func timePhrase() -> String {
        let second = isSingle(fields[0])
        if let minute = isSingle(fields[1]), let hour = isSingle(fields[2]), let second {
            let clock = Self.two(hour) + ":" + Self.two(minute)
            return "At " + (hasSeconds ? clock + ":" + Self.two(second) : clock)
        }
        var pieces: [String] = []
        if hasSeconds { pieces.append(phrase(fields[0], unit: "second", number: String.init)) }
        pieces.append(phrase(fields[1], unit: "minute", number: String.init))
        pieces.append(phrase(fields[2], unit: "hour", number: String.init))
        return "At " + pieces.joined(separator: " past ")
    }

    private func dayOfMonthPhrase(_ field: ParsedField) -> String {
        let special = field.elements.compactMap { element -> String? in
            switch element {
            case .lastDayOfMonth: "the last day of the month"
            case .lastWeekdayOfMonth: "the last weekday of the month"
            default: nil
            }
        }
        let plain = ParsedField(field: field.field, elements: field.elements.filter { !$0.isSpecial }, startsWithStar: field.startsWithStar)
        var items = special
        if !plain.elements.isEmpty { items.insert(phrase(plain, unit: "day-of-month", number: String.init), at: 0) }
        return Self.list(items, conjunction: "or")
    }

    private func weekdayPhrase(_ field: ParsedField) -> String {
        let special = field.elements.compactMap { element -> String? in
            switch element {
            case .lastWeekday(let weekday): "the last \(Self.weekdayNames[weekday]) of the month"
            case .nthWeekday(let weekday, let nth): "the \(Self.ordinalWords[nth]) \(Self.weekdayNames[weekday]) of the month"
            default: nil
            }
        }
        let plain = ParsedField(field: field.field, elements: field.elements.filter { !$0.isSpecial }, startsWithStar: field.startsWithStar)
        var items = special
        if !plain.elements.isEmpty { items.insert(phrase(plain, unit: "day-of-week") { Self.weekdayNames[$0] }, at: 0) }
        return Self.list(items, conjunction: "or")
    }

    /// One field's plain elements. Numbers get the unit ("minute 0, 15 and 30"); named
    /// values stand alone ("Monday through Friday").
    private func phrase(_ field: ParsedField, unit: String, number: (Int) -> String) -> String {
        let named = field.field == .month || field.field == .dayOfWeek
        var singles: [String] = []
        var others: [String] = []
        for element in field.elements {
            switch element {
            case .all(let step):
                others.append(step == 1 ? "every \(unit)" : "every \(Self.ordinal(step)) \(unit)")
            case .range(let low, let high, let step):
                if low == high {
                    singles.append(number(low))
                } else if step == 1 {
                    others.append(named ? "\(number(low)) through \(number(high))" : "every \(unit) from \(low) through \(high)")
                } else {
                    others.append("every \(Self.ordinal(step)) \(unit) from \(number(low)) through \(number(high))")
                }
            default:
                break
            }
        }
        var items: [String] = []
        if !singles.isEmpty { items.append((named ? "" : unit + " ") + Self.list(singles, conjunction: "and")) }
        return Self.list(items + others, conjunction: "and")
    }

    private static func list(_ items: [String], conjunction: String) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
        }
    }

    private static func ordinal(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

extension FieldElement {
    /// `L`, `LW`, `nL` and `n#k`, which the describer words separately.
    var isSpecial: Bool {
        switch self {
        case .all, .range: false
        default: true
        }
    }
}
