/// The one error that parsing a schedule or loading a time zone throws.
///
/// Its ``description`` is meant to be shown to the person who wrote the schedule as it
/// is: it names the field, quotes the offending text, says where it is and what was
/// expected, e.g. `day-of-week: "8" is out of range 0-7 (field 5, column 11)`.
public struct CronScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake this is; match on it instead of on the message.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case fieldCount, syntax, outOfRange, invalidStep, reversedRange, missingSeed
            case unknownDescriptor, invalidDuration, unknownTimeZone, invalidTimeZoneData
            case neverFires
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The expression does not have 5 or 6 fields.
        public static let fieldCount = Code(.fieldCount)
        /// A field element is not in the dialect at all.
        public static let syntax = Code(.syntax)
        /// A number or name is outside what the field allows.
        public static let outOfRange = Code(.outOfRange)
        /// A step is zero or otherwise unusable.
        public static let invalidStep = Code(.invalidStep)
        /// A range ends before it starts.
        public static let reversedRange = Code(.reversedRange)
        /// `H` was used but no seed was given.
        public static let missingSeed = Code(.missingSeed)
        /// An `@` descriptor that is not one of the known ones.
        public static let unknownDescriptor = Code(.unknownDescriptor)
        /// The duration of `@every` is malformed, zero or too long.
        public static let invalidDuration = Code(.invalidDuration)
        /// No such IANA time zone in the system tz database.
        public static let unknownTimeZone = Code(.unknownTimeZone)
        /// The tz database file exists but could not be read as TZif.
        public static let invalidTimeZoneData = Code(.invalidTimeZoneData)
        /// The schedule matches no date at all (`0 0 30 2 *`). A calendar schedule that
        /// fires at all is accepted however rarely it does (see
        /// ``CronSchedule/largestGapSeconds``).
        public static let neverFires = Code(.neverFires)

        /// A short stable name, e.g. `outOfRange`.
        public var description: String { "\(value)" }
    }

    /// Where in the expression the problem is.
    public struct Position: Sendable, Hashable {
        /// 1-based index of the field (1 = the first field as written).
        public var field: Int
        /// 1-based column (in characters) of the offending text in the whole expression.
        public var column: Int

        /// Creates a position.
        public init(field: Int, column: Int) {
            self.field = field
            self.column = column
        }
    }

    /// What kind of mistake this is.
    public var code: Code
    /// The field concerned, if the mistake is inside one field.
    public var field: CronField?
    /// The text that was refused, if there is one.
    public var text: String?
    /// Where that text is, if it is inside a field.
    public var position: Position?
    /// The human explanation without field, text and position, e.g. `is out of range 0-7`.
    public var message: String

    /// Creates an error; the library's parser is the only expected caller.
    public init(code: Code, field: CronField? = nil, text: String? = nil, position: Position? = nil, message: String) {
        self.code = code
        self.field = field
        self.text = text
        self.position = position
        self.message = message
    }

    /// The whole message: `field: "text" message (field N, column C)`.
    public var description: String {
        var result = ""
        if let field { result += "\(field.name): " }
        if let text { result += "\"\(text)\" " }
        result += message
        if let position { result += " (field \(position.field), column \(position.column))" }
        return result
    }
}
