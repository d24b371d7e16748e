/// What the parser makes of an expression, before it is compiled to bit sets.
enum ParsedExpression: Sendable, Hashable {
    /// A calendar schedule: always six fields (seconds first; `[0]` when written with 5).
    case calendar(fields: [ParsedField], hasSecondsField: Bool)
    /// `@every <duration>`, in seconds.
    case every(seconds: Int64)
}

/// Parses the cron dialect into ``ParsedExpression``; never traps, whatever the input.
///
/// Works on UTF-8 bytes because every valid token is ASCII; anything else is refused
/// with its position. Numbers are read with a digit limit, so `99999999999999999999`
/// is an out-of-range error rather than an overflow.
struct CronParser {
    /// Longest `@every` duration accepted: 2922 days (8 years). It was the calendar
    /// search horizon, which is gone; `@every` keeps it so that what validates today
    /// still does (lifting it is a separate decision), and it keeps interval arithmetic
    /// far from overflow.
    static let maximumEveryDays: Int64 = 2922
    static let maximumEverySeconds: Int64 = maximumEveryDays * 86_400

    private let source: String
    private let bytes: [UInt8]
    private let seed: String?

    init(_ source: String, seed: String?) {
        self.source = source
        self.bytes = Array(source.utf8)
        self.seed = seed
    }

    /// The descriptors and the 5-field expressions they stand for.
    static let descriptors: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    func parse() throws(CronScheduleError) -> ParsedExpression {
        let words = splitWords()
        guard let first = words.first else {
            throw CronScheduleError(code: .fieldCount, message: "expected 5 or 6 fields, got 0")
        }
        if bytes[first.lowerBound] == UInt8(ascii: "@") {
            return try parseDescriptor(words)
        }
        guard words.count == 5 || words.count == 6 else {
            throw CronScheduleError(code: .fieldCount, message: "expected 5 or 6 fields, got \(words.count)")
        }
        let hasSeconds = words.count == 6
        let order: [CronField] = hasSeconds
            ? [.second, .minute, .hour, .dayOfMonth, .month, .dayOfWeek]
            : [.minute, .hour, .dayOfMonth, .month, .dayOfWeek]
        var fields: [ParsedField] = []
        if !hasSeconds {
            fields.append(ParsedField(field: .second, elements: [.range(low: 0, high: 0, step: 1)], startsWithStar: false))
        }
        for (index, field) in order.enumerated() {
            fields.append(try parseField(field, words[index], fieldNumber: index + 1))
        }
        return .calendar(fields: fields, hasSecondsField: hasSeconds)
    }

    // MARK: Words and descriptors

    private func splitWords() -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start: Int?
        for (index, byte) in bytes.enumerated() {
            let isSpace = byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
            if isSpace {
                if let s = start { words.append(s..<index); start = nil }
            } else if start == nil {
                start = index
            }
        }
        if let s = start { words.append(s..<bytes.count) }
        return words
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    private func parseDescriptor(_ words: [Range<Int>]) throws(CronScheduleError) -> ParsedExpression {
        let name = text(words[0]).lowercased()
        if name == "@every" {
            guard words.count == 2 else {
                throw CronScheduleError(
                    code: .invalidDuration, text: words.count > 2 ? text(words[1].lowerBound..<words[words.count - 1].upperBound) : nil,
                    message: "@every takes one duration such as 90s or 1h30m")
            }
            return .every(seconds: try parseDuration(words[1]))
        }
        guard let expansion = Self.descriptors[name] else {
            throw CronScheduleError(
                code: .unknownDescriptor, text: text(words[0]),
                message: "is not a descriptor: expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>")
        }
        guard words.count == 1 else {
            throw CronScheduleError(code: .fieldCount, text: text(words[0]), message: "takes no fields after it")
        }
        return try CronParser(expansion, seed: nil).parse()
    }

    /// `1h30m`, `90s`, `2d`: whole numbers with units d, h, m, s, at least one second
    /// and at most ``maximumEveryDays``.
    private func parseDuration(_ range: Range<Int>) throws(CronScheduleError) -> Int64 {
        let invalid = CronScheduleError(
            code: .invalidDuration, text: text(range),
            message: "is not a duration: expected whole numbers with units d, h, m, s, such as 90s or 1h30m")
        var total: Int64 = 0
        var index = range.lowerBound
        guard index < range.upperBound else { throw invalid }
        while index < range.upperBound {
            var value: Int64 = 0
            var digits = 0
            while index < range.upperBound, let digit = Self.digit(bytes[index]) {
                value = value * 10 + Int64(digit)
                digits += 1
                index += 1
                if digits > 12 { throw tooLong(range) }
            }
            guard digits > 0, index < range.upperBound else { throw invalid }
            let unit: Int64
            switch bytes[index] | 0x20 {
            case UInt8(ascii: "d"): unit = 86_400
            case UInt8(ascii: "h"): unit = 3_600
            case UInt8(ascii: "m"): unit = 60
            case UInt8(ascii: "s"): unit = 1
            default: throw invalid
            }
            index += 1
            total += value * unit
            if total > Self.maximumEverySeconds { throw tooLong(range) }
        }
        guard total >= 1 else {
            throw CronScheduleError(code: .invalidDuration, text: text(range), message: "must be at least 1s")
        }
        return total
    }

    private func tooLong(_ range: Range<Int>) -> CronScheduleError {
        CronScheduleError(
            code: .invalidDuration, text: text(range),
            message: "is longer than the maximum of \(Self.maximumEveryDays) days (8 years)")
    }

    // MARK: Fields

    private func parseField(_ field: CronField, _ range: Range<Int>, fieldNumber: Int) throws(CronScheduleError) -> ParsedField {
        var elements: [FieldElement] = []
        var start = range.lowerBound
        var index = range.lowerBound
        while index <= range.upperBound {
            if index == range.upperBound || bytes[index] == UInt8(ascii: ",") {
                let element = start..<index
                let context = ElementContext(field: field, fieldNumber: fieldNumber, range: element)
                elements.append(try parseElement(context))
                start = index + 1
            }
            index += 1
        }
        return ParsedField(field: field, elements: elements, startsWithStar: bytes[range.lowerBound] == UInt8(ascii: "*"))
    }

    private struct ElementContext {
        var field: CronField
        var fieldNumber: Int
        var range: Range<Int>
    }

    private func error(_ code: CronScheduleError.Code, _ context: ElementContext, _ message: String) -> CronScheduleError {
        let column = String(decoding: bytes[0..<context.range.lowerBound], as: UTF8.self).count + 1
        return CronScheduleError(
            code: code, field: context.field, text: text(context.range),
            position: .init(field: context.fieldNumber, column: column), message: message)
    }

    private func syntaxError(_ context: ElementContext) -> CronScheduleError {
        var forms = "a number"
        if let first = context.field.names.first, let last = context.field.names.last { forms += ", a name (\(first)-\(last))" }
        forms += ", *, a range a-b, a step */n, a-b/n or a/n, or H, H/n, H(a-b)"
        switch context.field {
        case .dayOfMonth: forms += ", L or LW"
        case .dayOfWeek: forms += ", nL (last) or n#k (k-th)"
        default: break
        }
        return error(.syntax, context, "is not valid: expected \(forms); combine with commas")
    }

    private func outOfRange(_ context: ElementContext) -> CronScheduleError {
        error(.outOfRange, context, "is out of range \(context.field.minimum)-\(context.field.maximum)")
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= 0x30 && byte <= 0x39 ? Int(byte - 0x30) : nil
    }

    /// Reads a number (at most 6 digits, so no overflow) or a name at `index`.
    /// Returns nil when there is neither; throws when the value is out of range.
    private func readValue(_ index: inout Int, _ context: ElementContext) throws(CronScheduleError) -> Int? {
        let end = context.range.upperBound
        if index < end, Self.digit(bytes[index]) != nil {
            var value = 0
            var digits = 0
            while index < end, let digit = Self.digit(bytes[index]) {
                if digits < 7 { value = value * 10 + digit }
                digits += 1
                index += 1
            }
            guard digits <= 6, value >= context.field.minimum, value <= context.field.maximum else {
                throw outOfRange(context)
            }
            return value
        }
        let names = context.field.names
        guard !names.isEmpty, index + 3 <= end else { return nil }
        let word = String(decoding: bytes[index..<(index + 3)].map { $0 & ~0x20 }, as: UTF8.self)
        guard let position = names.firstIndex(of: word) else { return nil }
        index += 3
        return position + context.field.firstNameValue
    }

    /// Reads `/n` if present; a step must be a number of at least 1.
    private func readStep(_ index: inout Int, _ context: ElementContext) throws(CronScheduleError) -> Int {
        let end = context.range.upperBound
        guard index < end, bytes[index] == UInt8(ascii: "/") else { return 1 }
        index += 1
        var value = 0
        var digits = 0
        while index < end, let digit = Self.digit(bytes[index]) {
            if digits < 7 { value = value * 10 + digit }
            digits += 1
            index += 1
        }
        guard digits > 0, index == end else { throw syntaxError(context) }
        guard value >= 1 else { throw error(.invalidStep, context, "has a zero step: step must be at least 1") }
        // A step beyond the field's span is allowed (as in Debian's cron): it selects
        // just the start. Only absurdly long numbers are refused, before they overflow.
        guard digits <= 6 else { throw error(.invalidStep, context, "has a step that is too large: step must be at most 999999") }
        return value
    }

    private func parseElement(_ context: ElementContext) throws(CronScheduleError) -> FieldElement {
        let field = context.field
        let range = context.range
        guard !range.isEmpty else { throw syntaxError(context) }
        var index = range.lowerBound
        let first = bytes[index] & ~0x20  // ASCII upper-case; harmless for other bytes
        let remaining = range.upperBound - index

        if bytes[index] == UInt8(ascii: "*") {
            index += 1
            let step = try readStep(&index, context)
            guard index == range.upperBound else { throw syntaxError(context) }
            return .all(step: step)
        }
        if first == UInt8(ascii: "H") && (remaining == 1 || bytes[index + 1] == UInt8(ascii: "/") || bytes[index + 1] == UInt8(ascii: "(")) {
            return try parseHash(context)
        }
        if field == .dayOfMonth, first == UInt8(ascii: "L") {
            if remaining == 1 { return .lastDayOfMonth }
            if remaining == 2, bytes[index + 1] & ~0x20 == UInt8(ascii: "W") { return .lastWeekdayOfMonth }
            throw syntaxError(context)
        }

        guard let low = try readValue(&index, context) else { throw syntaxError(context) }
        let end = range.upperBound
        if index == end {
            let value = field == .dayOfWeek && low == 7 ? 0 : low  // 7 is Sunday, written 0
            return .range(low: value, high: value, step: 1)
        }

        if field == .dayOfWeek {
            if bytes[index] & ~0x20 == UInt8(ascii: "L"), index + 1 == end {
                return .lastWeekday(low % 7)
            }
            if bytes[index] == UInt8(ascii: "#") {
                index += 1
                guard index + 1 == end, let nth = Self.digit(bytes[index]) else { throw syntaxError(context) }
                guard (1...5).contains(nth) else {
                    throw error(.outOfRange, context, "asks for occurrence \(nth) of a weekday: expected #1 through #5")
                }
                return .nthWeekday(weekday: low % 7, nth: nth)
            }
        }

        var high = low
        var explicitHigh = false
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
            guard let value = try readValue(&index, context) else { throw syntaxError(context) }
            high = value
            explicitHigh = true
        }
        let step = try readStep(&index, context)
        guard index == end else { throw syntaxError(context) }
        if !explicitHigh && step > 1 {
            high = field.maximum  // `a/n` runs from a to the end of the field
        }
        guard low <= high else {
            throw error(.reversedRange, context, "is a reversed range: expected the start to be at most the end")
        }
        return .range(low: low, high: high, step: step)
    }

    /// `H`, `H/n`, `H(a-b)` and `H(a-b)/n`, resolved with the seed.
    private func parseHash(_ context: ElementContext) throws(CronScheduleError) -> FieldElement {
        let field = context.field
        let end = context.range.upperBound
        var index = context.range.lowerBound + 1
        var low = field.hashRange.lowerBound
        var high = field.hashRange.upperBound
        var explicitRange = false
        if index < end, bytes[index] == UInt8(ascii: "(") {
            explicitRange = true
            index += 1
            guard let a = try readValue(&index, context), index < end, bytes[index] == UInt8(ascii: "-") else {
                throw syntaxError(context)
            }
            index += 1
            guard let b = try readValue(&index, context), index < end, bytes[index] == UInt8(ascii: ")") else {
                throw syntaxError(context)
            }
            index += 1
            guard a <= b else {
                throw error(.reversedRange, context, "is a reversed range: expected the start to be at most the end")
            }
            low = a
            high = b
            if field == .dayOfWeek, high == 7 { high = 6 }  // 0 and 7 are the same day
            if low > high { low = high }
        }
        let hasStep = index < end && bytes[index] == UInt8(ascii: "/")
        let step = try readStep(&index, context)
        guard index == end else { throw syntaxError(context) }
        guard let seed else {
            throw error(.missingSeed, context, "needs a seed (the job's tenant and name) to choose a value")
        }
        let hash = StableHash.value(seed: seed, field: field)
        if hasStep {
            // With a step, H picks the offset within the first step, then repeats to the
            // end of the range (or of the field, for a bare `H/n`).
            let upper = explicitRange ? high : (field == .dayOfWeek ? 6 : field.maximum)
            let width = UInt64(min(step, high - low + 1))
            let start = low + Int(hash % width)
            return .range(low: start, high: upper, step: step)
        }
        let value = low + Int(hash % UInt64(high - low + 1))
        return .range(low: value, high: value, step: 1)
    }
}
