/// One of the six time fields of a cron expression.
public enum CronField: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Seconds (0-59); only in 6-field expressions, where it comes first.
    case second
    /// Minutes (0-59).
    case minute
    /// Hours (0-23).
    case hour
    /// Day of the month (1-31), plus `L` and `LW`.
    case dayOfMonth
    /// Month (1-12 or JAN-DEC).
    case month
    /// Day of the week (0-7 or SUN-SAT, 0 and 7 both Sunday), plus `nL` and `n#k`.
    case dayOfWeek

    /// The name used in error messages, e.g. `day-of-week`.
    public var name: String {
        switch self {
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        }
    }

    /// Same as ``name``.
    public var description: String { name }

    /// The smallest value the field accepts as written.
    public var minimum: Int {
        switch self {
        case .second, .minute, .hour, .dayOfWeek: 0
        case .dayOfMonth, .month: 1
        }
    }

    /// The largest value the field accepts as written (day-of-week accepts 7 for Sunday).
    public var maximum: Int {
        switch self {
        case .second, .minute: 59
        case .hour: 23
        case .dayOfMonth: 31
        case .month: 12
        case .dayOfWeek: 7
        }
    }

    /// The range `H` picks from. Day-of-month stops at 28 so a hashed day exists in
    /// every month; day-of-week stops at 6 so Sunday is not twice as likely.
    var hashRange: ClosedRange<Int> {
        switch self {
        case .dayOfMonth: 1...28
        case .dayOfWeek: 0...6
        default: minimum...maximum
        }
    }

    /// Names accepted in place of numbers (upper-case; matched case-insensitively).
    var names: [String] {
        switch self {
        case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        default: []
        }
    }

    /// The value of the first name in ``names``.
    var firstNameValue: Int { self == .month ? 1 : 0 }
}
