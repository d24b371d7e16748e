import CronSchedule
import Foundation

/// The opaque `continue` token of a list operation: where the page ended, bound to the
/// operation and its other parameters (a token used with others is 400), as URL-safe
/// base64 without padding.
struct ContinueToken {
    /// The operation and parameters the token belongs to, e.g. `listJobs|payments|team=a`.
    let scope: String

    /// The token for a page that ended at `position`.
    func encode(_ position: String) -> String {
        let text = "\(String(StableHash.fnv1a64(scope), radix: 16))\n\(position)"
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The position of `token`, nil when there is none.
    /// - Throws: `APIError` 400 `invalidParameter` (`continue`) for a token that this
    ///   operation did not return with these parameters.
    func decode(_ token: String?) throws -> String? {
        guard let token else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.count <= 2048, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let newline = text.firstIndex(of: "\n"),
            text[..<newline] == String(StableHash.fnv1a64(scope), radix: 16)
        else {
            throw APIError.invalidParameter(
                "continue", "is not a token this operation returned with these parameters; start again without it")
        }
        return String(text[text.index(after: newline)...])
    }
}
