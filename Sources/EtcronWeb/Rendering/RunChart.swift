/// An inline SVG bar chart of one measure over a job's recent runs (oldest left): each
/// run one bar, coloured by its result, with its value as the bar's tooltip. Pure
/// geometry; the template draws it.
struct RunChart: Sendable {
    /// One bar.
    struct Bar: Sendable {
        var x: Int
        var y: Int
        var width: Int
        var height: Int
        /// The CSS class of the bar (its run's result).
        var kind: String
        /// The tooltip.
        var label: String
    }

    /// One run's value (nil when it has none yet, e.g. not started).
    struct Point: Sendable {
        var value: Double?
        var kind: String
        var label: String
    }

    static let width = 480
    static let height = 160
    static let top = 16
    static let bottom = 24
    static let left = 8

    var title: String
    /// What the chart says when no run has a value.
    var emptyText: String
    var bars: [Bar]
    /// The scale's top, written at the top left (`2.3 s`).
    var maximum: String
    /// Whether there is anything to draw (templates see stored properties only).
    var isEmpty: Bool
    var width = Self.width
    var height = Self.height
    var baseline = Self.height - Self.bottom
    var right = Self.width - Self.left
    var left = Self.left

    /// The chart of `points` (oldest first), scaled to the largest value; `format` writes
    /// the scale's top.
    init(title: String, emptyText: String = "no value yet", points: [Point], format: (Double) -> String) {
        self.title = title
        self.emptyText = emptyText
        let largest = points.compactMap(\.value).max() ?? 0
        let scale = largest > 0 ? largest : 1
        maximum = format(largest)
        let plot = Self.height - Self.top - Self.bottom
        let slot = points.isEmpty ? 0 : (Self.width - 2 * Self.left) / points.count
        let barWidth = max(1, slot * 3 / 4)
        bars = points.enumerated().compactMap { index, point in
            guard let value = point.value else { return nil }
            let height = max(1, Int((value / scale * Double(plot)).rounded()))
            return Bar(
                x: Self.left + index * slot + (slot - barWidth) / 2, y: Self.height - Self.bottom - height, width: barWidth,
                height: height, kind: point.kind, label: point.label)
        }
        isEmpty = bars.isEmpty
    }
}
