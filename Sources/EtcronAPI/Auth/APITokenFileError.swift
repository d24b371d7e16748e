/// A token file that cannot be used: every problem, each naming the entry and field.
public struct APITokenFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem: where (`tokens[2].role`, or the file itself) and why.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The field path, e.g. `tokens[2].sha256`; empty for the document itself.
        public var field: String
        /// Why it is refused.
        public var reason: String

        /// `field: reason`.
        public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
    }

    /// The file, as named in the configuration.
    public var path: String
    /// Every problem found, never empty.
    public var problems: [Problem]

    public var description: String {
        "API token file \(path): " + problems.map(\.description).joined(separator: "; ")
    }
}
