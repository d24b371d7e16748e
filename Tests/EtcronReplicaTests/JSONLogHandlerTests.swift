import EtcronReplica
import Foundation
import Logging
import Synchronization
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    static let fixedTime = RFC3339Timestamp(secondsSince1970: 1_777_898_096, milliseconds: 7)

    @Test("a line is one JSON object with ts, level, label and msg")
    func fields() throws {
        let captured = CapturedLines()
        let logger = makeLogger(captured)
        logger.notice("replica started")

        let line = try #require(captured.lines.first)
        #expect(captured.lines.count == 1)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try Self.parse(line)
        #expect(object["ts"] == "2026-05-04T12:34:56.007Z")
        #expect(object["level"] == "notice")
        #expect(object["label"] == "etcron.test")
        #expect(object["msg"] == "replica started")
        #expect(object.count == 4)
    }

    @Test("timestamps are RFC 3339 UTC with milliseconds")
    func timestamps() {
        #expect(RFC3339Timestamp(secondsSince1970: 0, milliseconds: 0).description == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339Timestamp(secondsSince1970: 951_782_400, milliseconds: 999).description == "2000-02-29T00:00:00.999Z")
        let now = RFC3339Timestamp.now().description
        #expect(now.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(now)")
    }

    @Test("quotes, backslashes, control characters and line breaks are escaped", arguments: [
        "say \"hi\"",
        #"C:\path\to"#,
        "two\nlines\r\nand\ttab",
        "bell \u{07} nul \u{00} esc \u{1B} del \u{7F}",
        "separators \u{2028} \u{2029}",
        "unicode é ☃ 😀 日本",
        "{\"injected\": true}\n{\"level\":\"critical\"}",
    ])
    func escaping(_ message: String) throws {
        let captured = CapturedLines()
        let logger = makeLogger(captured)
        logger.info("\(message)", metadata: ["value": "\(message)"])

        let line = try #require(captured.lines.first)
        #expect(line.dropLast().allSatisfy { $0 != "\n" && $0 != "\r" && $0 != "\u{2028}" })
        let object = try Self.parse(line)
        #expect(object["msg"] == message)
        #expect(object["value"] == message)
    }

    @Test("metadata is flattened into string fields; the event's wins over the handler's")
    func metadata() throws {
        let captured = CapturedLines()
        var logger = makeLogger(captured)
        logger[metadataKey: "replica"] = "replica-a"
        logger[metadataKey: "attempt"] = "1"
        logger.warning("lease lost", metadata: [
            "attempt": .stringConvertible(2),
            "etcd": ["endpoint": "127.0.0.1:2379", "lease": ["id": "7"]],
            "members": ["a", "b"],
            "msg": "not the message",
        ])

        let object = try Self.parse(try #require(captured.lines.first))
        #expect(object["msg"] == "lease lost")
        #expect(object["meta.msg"] == "not the message")
        #expect(object["replica"] == "replica-a")
        #expect(object["attempt"] == "2")
        #expect(object["etcd.endpoint"] == "127.0.0.1:2379")
        #expect(object["etcd.lease.id"] == "7")
        #expect(object["members"] == #"["a", "b"]"#)
    }

    @Test("the metadata provider's values are included")
    func metadataProvider() throws {
        let captured = CapturedLines()
        let provider = Logger.MetadataProvider { ["trace": "abc"] }
        let handler = JSONLogHandler(label: "etcron.test", metadataProvider: provider, output: captured.append, clock: { Self.fixedTime })
        Logger(label: "etcron.test") { _ in handler }.info("tick")
        #expect(try Self.parse(try #require(captured.lines.first))["trace"] == "abc")
    }

    @Test("an event's error is written as its own field")
    func errorField() throws {
        struct Refused: Error, CustomStringConvertible {
            var description: String { "etcd said \"no\"" }
        }
        let captured = CapturedLines()
        let handler = JSONLogHandler(label: "etcron.test", output: captured.append, clock: { Self.fixedTime })
        handler.log(event: LogEvent(
            level: .error, message: "write failed", error: Refused(), metadata: nil,
            source: nil, file: #fileID, function: #function, line: #line
        ))
        #expect(try Self.parse(try #require(captured.lines.first))["error"] == "etcd said \"no\"")
    }

    @Test("the factory builds JSON or text handlers at the level asked for")
    func factory() {
        let json = makeLogHandlerFactory(format: .json, level: .debug)("etcron.test", nil)
        #expect(json is JSONLogHandler && json.logLevel == .debug)
        let text = makeLogHandlerFactory(format: .text, level: .error)("etcron.test", nil)
        #expect(text is StreamLogHandler && text.logLevel == .error)
    }

    @Test("lines below the logger's level are not written")
    func levelFilter() {
        let captured = CapturedLines()
        var logger = makeLogger(captured)
        logger.logLevel = .warning
        logger.info("hidden")
        logger.error("shown")
        #expect(captured.lines.count == 1)
    }

    // MARK: Helpers

    private func makeLogger(_ captured: CapturedLines) -> Logger {
        var logger = Logger(label: "etcron.test") { label in
            JSONLogHandler(label: label, metadataProvider: nil, output: captured.append, clock: { Self.fixedTime })
        }
        logger.logLevel = .trace
        return logger
    }

    /// The line as a flat object of strings; fails if any value is not a string.
    static func parse(_ line: String) throws -> [String: String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        var fields: [String: String] = [:]
        for (key, value) in object {
            fields[key] = try #require(value as? String, "field \(key) is not a string")
        }
        return fields
    }
}

/// Log lines written by a handler under test.
final class CapturedLines: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    @Sendable func append(_ line: String) {
        storage.withLock { $0.append(line) }
    }
}
