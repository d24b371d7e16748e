import Logging

/// A swift-log handler that writes one JSON object per line, for log collectors
/// (`log-format: json`).
///
/// Each line has `ts` (RFC 3339 UTC with milliseconds), `level`, `label`, `msg`, `error`
/// when the event carries one, and every metadata entry as a string field. Nested metadata
/// is flattened: `["etcd": ["endpoint": "a"]]` becomes `"etcd.endpoint": "a"`; lists are
/// written as their text. A metadata key equal to one of the fixed fields gets a `meta.`
/// prefix, so a line never holds a key twice. Keys are sorted, so lines diff well.
public struct JSONLogHandler: LogHandler {
    /// Where finished lines go; each call receives one complete line ending in `\n`.
    public typealias Output = @Sendable (String) -> Void

    /// The logger's label, written as `label`.
    public let label: String
    /// Metadata of this handler, merged under the provider's and the event's.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (e.g. task-local) added to every line.
    public var metadataProvider: Logger.MetadataProvider?
    /// The lowest level this handler is asked to write.
    public var logLevel: Logger.Level = .info

    private let output: Output
    private let clock: @Sendable () -> RFC3339Timestamp

    /// A handler for `label` that writes to `output`.
    ///
    /// - Parameters:
    ///   - output: receives each line; defaults to stderr, one `write(2)` per line, so
    ///     lines from concurrent tasks never interleave.
    ///   - clock: the time of each line; tests pass a fixed one.
    public init(
        label: String,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        output: @escaping Output = JSONLogHandler.standardError,
        clock: @escaping @Sendable () -> RFC3339Timestamp = RFC3339Timestamp.now
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.output = output
        self.clock = clock
    }

    /// The metadata entry `key` of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes `event` as one JSON line.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }

        var fields: [(String, String)] = []
        Self.flatten(merged, prefix: "", into: &fields)

        var line = JSONLine()
        line.append(key: "ts", value: clock().description)
        line.append(key: "level", value: event.level.rawValue)
        line.append(key: "label", value: label)
        line.append(key: "msg", value: event.message.description)
        if let error = event.error { line.append(key: "error", value: String(describing: error)) }
        for (key, value) in fields.sorted(by: { $0.0 < $1.0 }) {
            line.append(key: Self.reservedKeys.contains(key) ? "meta." + key : key, value: value)
        }
        output(line.finish())
    }

    /// The fixed fields that metadata must not overwrite.
    static let reservedKeys: Set<String> = ["ts", "level", "label", "msg", "error"]

    /// Dictionaries become dotted keys; strings, lists and everything else their text.
    private static func flatten(_ metadata: Logger.Metadata, prefix: String, into fields: inout [(String, String)]) {
        for (key, value) in metadata {
            let name = prefix + key
            switch value {
            case .dictionary(let nested) where !nested.isEmpty:
                flatten(nested, prefix: name + ".", into: &fields)
            default:
                fields.append((name, text(of: value)))
            }
        }
    }

    private static func text(of value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }
}
