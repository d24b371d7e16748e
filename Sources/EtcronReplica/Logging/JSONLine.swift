/// Builds one JSON object of string fields, escaped by RFC 8259, as a single line.
struct JSONLine {
    private var text = "{"
    private var isEmpty = true

    /// Appends `"key":"value"`.
    mutating func append(key: String, value: String) {
        if !isEmpty { text += "," }
        isEmpty = false
        Self.appendQuoted(key, to: &text)
        text += ":"
        Self.appendQuoted(value, to: &text)
    }

    /// The object, closed and ended with a newline.
    consuming func finish() -> String {
        text + "}\n"
    }

    /// `"value"` with `"`, `\` and control characters escaped, so a message holding a
    /// newline or a quote can never break the one-object-per-line framing. U+2028 and
    /// U+2029 are escaped too: valid JSON, but line breaks to JavaScript and some viewers.
    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
                text += "\\u" + hex4(scalar.value)
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
