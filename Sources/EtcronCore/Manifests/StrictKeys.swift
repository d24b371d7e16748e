/// Refuses unknown keys while decoding a manifest, so a typo (`schedul`, `maxRetrys`) is an
/// error naming the key and the likely fix instead of a silently ignored setting.
///
/// With a ``UnknownKeyCollector`` in the decoder's user info (as ``JobManifestDecoder``
/// passes), every unknown key of the document is recorded and decoding goes on, so all of
/// them are reported at once; without one (a plain `JSONDecoder`), the first container
/// holding unknown keys throws `DecodingError.dataCorrupted` at that key.
enum StrictKeys {
    /// Checks the keys of the mapping `decoder` is at against `Keys`.
    static func check<Keys: CodingKey & CaseIterable>(_ decoder: any Decoder, allowed: Keys.Type) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let known = Keys.allCases.map(\.stringValue)
        let unknown = container.allKeys.filter { !known.contains($0.stringValue) }
        guard !unknown.isEmpty else { return }
        let found = unknown.map { key in
            UnknownKey(path: decoder.codingPath + [key], suggestion: suggestion(for: key.stringValue, among: known))
        }
        if let collector = decoder.userInfo[UnknownKeyCollector.userInfoKey] as? UnknownKeyCollector {
            collector.keys += found
            return
        }
        throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: found[0].path, debugDescription: found[0].reason))
    }

    /// The candidate nearest to `name` by edit distance, if near enough to be a typo.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        ClosestName.suggestion(for: name, among: candidates)
    }
}

/// One unknown key: where it is and what was probably meant.
struct UnknownKey {
    /// The coding path of the key itself.
    var path: [any CodingKey]
    /// The known key it most resembles.
    var suggestion: String?

    /// `unknown key "schedul" (did you mean "schedule"?)`.
    var reason: String {
        "unknown key \"\(path.last?.stringValue ?? "")\"" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
    }
}

/// Collects the unknown keys of one document while it decodes. Used by one decoding on
/// one thread, never shared.
final class UnknownKeyCollector {
    /// The key under which the decoder's user info holds the collector.
    static let userInfoKey = CodingUserInfoKey(rawValue: "etcron.unknownKeyCollector")!

    /// Every unknown key found so far, in document order.
    var keys: [UnknownKey] = []
}

/// A coding key for any string or index: reads every key of a mapping, and names paths.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init?(stringValue: String) {
        self.init(stringValue)
    }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
