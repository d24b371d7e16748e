/// How log lines are written to stderr (`log-format`).
public enum LogFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// swift-log's `StreamLogHandler` text lines, for people reading a terminal.
    case text
    /// One JSON object per line (`JSONLogHandler`), for log collectors.
    case json
}
