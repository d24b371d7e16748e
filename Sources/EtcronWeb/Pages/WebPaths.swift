import EtcronCore
import Foundation

/// The dashboard's own URLs, built in one place (path segments and query values
/// percent-encoded).
enum WebPaths {
    /// A job's page.
    static func job(_ id: JobID) -> String { "/jobs/\(segment(id.tenant))/\(segment(id.name))" }

    /// `path` with the query `items` (none: the bare path).
    static func query(_ path: String, _ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return path }
        return path + "?" + items.map { "\($0.0)=\(value($0.1))" }.joined(separator: "&")
    }

    /// Where to go after signing in: a path of this dashboard only (never another site).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
            !next.contains(where: { $0.isNewline || $0 == "\0" })
        else { return "/" }
        return next
    }

    private static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
    }

    private static func value(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
