@testable import EtcronWeb
import Testing

@Suite("dashboard run chart")
struct RunChartTests {
    @Test("bars scale to the largest value, keep run order, skip runs without a value, and label each run")
    func bars() {
        let chart = RunChart(
            title: "Start delay",
            points: [
                .init(value: 0.5, kind: "succeeded", label: "a"), .init(value: nil, kind: "pending", label: "b"),
                .init(value: 2, kind: "failed", label: "c"),
            ],
            format: { "\($0) s" })
        #expect(chart.maximum == "2.0 s")
        #expect(chart.bars.map(\.label) == ["a", "c"])
        let plot = RunChart.height - RunChart.top - RunChart.bottom
        #expect(chart.bars[1].height == plot && chart.bars[0].height == plot / 4)
        #expect(chart.bars[0].x < chart.bars[1].x)
        #expect(chart.bars.allSatisfy { $0.y + $0.height == chart.baseline })
        #expect(!chart.isEmpty)
    }

    @Test("no runs, or only zero values, still draw a valid chart")
    func empty() {
        #expect(RunChart(title: "x", points: [], format: { "\($0)" }).isEmpty)
        let zeros = RunChart(title: "x", points: [.init(value: 0, kind: "succeeded", label: "a")], format: { "\($0)" })
        #expect(zeros.bars.count == 1 && zeros.bars[0].height == 1)
    }

    @Test("the templates parse, and values are HTML-escaped")
    func escaping() throws {
        let templates = try WebTemplates()
        let html = templates.render(WebRoutes.ErrorModel(heading: "<b>", message: "<script>alert('x')</script>", field: nil), "error")
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
    }
}
