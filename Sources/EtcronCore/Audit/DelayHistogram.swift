import Foundation

/// Start delays in bounded memory, for percentiles over any number of runs: log-scale
/// buckets 1% wide (a value is reported as its bucket's upper bound, at most 1% high),
/// with the exact count, maximum and number within an objective.
public struct DelayHistogram: Sendable, Hashable {
    private var buckets: [Int: Int] = [:]
    /// How many delays were recorded.
    public private(set) var count = 0
    /// The largest, in milliseconds.
    public private(set) var maximum: Int64 = 0
    /// How many were at or under the objective.
    public private(set) var withinObjective = 0
    /// The objective, in milliseconds.
    public let objectiveMs: Int64

    private static let growth = 1.01

    public init(objectiveMs: Int64) {
        self.objectiveMs = objectiveMs
    }

    public mutating func record(_ milliseconds: Int64) {
        let value = max(0, milliseconds)
        count += 1
        maximum = max(maximum, value)
        if value <= objectiveMs { withinObjective += 1 }
        buckets[Self.bucket(value), default: 0] += 1
    }

    /// The delay at quantile `q` (0...1), nil when empty.
    public func quantile(_ q: Double) -> Int64? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for bucket in buckets.keys.sorted() {
            seen += buckets[bucket]!
            if seen >= rank { return min(maximum, Self.upperBound(bucket)) }
        }
        return maximum
    }

    /// The share within the objective, in percent (100 when empty).
    public var attainment: Double { count == 0 ? 100 : Double(withinObjective) * 100 / Double(count) }

    static func bucket(_ value: Int64) -> Int {
        value <= 0 ? 0 : Int((log(Double(value)) / log(growth)).rounded(.down)) + 1
    }

    static func upperBound(_ bucket: Int) -> Int64 {
        bucket == 0 ? 0 : Int64(pow(growth, Double(bucket)).rounded(.up))
    }
}
