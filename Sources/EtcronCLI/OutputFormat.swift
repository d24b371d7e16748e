import ArgumentParser
import Foundation
import Yams

/// How commands print data: `-o table` (for people), `json` or `yaml` (for programs).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml

    /// Encodes `value` as JSON or YAML; nil for `table`, which each command renders itself.
    func encode<T: Encodable>(_ value: T) throws -> String? {
        switch self {
        case .table:
            return nil
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        case .yaml:
            // Yams' own encoder keeps integers integers (a trip through JSONSerialization
            // turns them into floats on Linux, which would not apply back).
            let encoder = YAMLEncoder()
            encoder.options.sortKeys = true
            var text = try encoder.encode(value)
            while text.hasSuffix("\n") { text.removeLast() }
            return text
        }
    }
}

/// Renders rows as aligned columns.
func table(_ header: [String], _ rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
        row.enumerated().map { column, cell in
            column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}

/// "3m12s"-style age of a past instant.
func age(since date: Date, now: Date = Date()) -> String {
    let seconds = max(0, now.timeIntervalSince(date))
    if seconds < 10 { return String(format: "%.1fs", seconds) }
    let whole = Int(seconds)
    if whole < 3600 { return "\(whole / 60)m\(whole % 60)s" }
    if whole < 86400 { return "\(whole / 3600)h\((whole % 3600) / 60)m" }
    return "\(whole / 86400)d\((whole % 86400) / 3600)h"
}
