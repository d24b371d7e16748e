import Metrics

/// `etcron_corrupt_records_total{record}`: records in etcd that cannot be used (a spec,
/// quota, status, run or decision written by hand or by an incompatible version), counted
/// by every reader that skips one, here only.
public enum CorruptRecords {
    /// The metric's name.
    public static let metric = "etcron_corrupt_records_total"

    /// Counts one unusable record of kind `record` (`spec`, `quota`, `status`, `run`,
    /// `decision`, `target policy`).
    public static func count(_ record: String) {
        Counter(label: metric, dimensions: [("record", record)]).increment()
    }
}
