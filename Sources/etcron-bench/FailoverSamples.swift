/// The failover times measured for one kind of kill (SIGKILL or SIGTERM of the leader),
/// summarised as minimum, median and maximum.
struct FailoverSamples: Sendable {
    /// The times from the signal to a new leader reporting itself, in measurement order.
    private(set) var durations: [Duration] = []

    /// Adds one measurement.
    mutating func append(_ duration: Duration) {
        durations.append(duration)
    }

    /// The shortest time, or nil without measurements.
    var minimum: Duration? { durations.min() }

    /// The longest time, or nil without measurements.
    var maximum: Duration? { durations.max() }

    /// The middle time (the mean of the two middle ones for an even count), or nil
    /// without measurements.
    var median: Duration? {
        guard !durations.isEmpty else { return nil }
        let sorted = durations.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Prints `<prefix>.min`, `.median` and `.max` in seconds (nothing without measurements).
    func print(_ prefix: String, to output: FailoverOutput) {
        guard let minimum, let median, let maximum else {
            output.progress("no \(prefix) measurements")
            return
        }
        output.seconds("\(prefix).min", minimum)
        output.seconds("\(prefix).median", median)
        output.seconds("\(prefix).max", maximum)
    }
}
