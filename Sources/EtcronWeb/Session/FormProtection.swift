import Crypto
import Foundation

/// Cross-site request forgery protection of the dashboard's forms, in two layers:
/// - every form of a signed-in page carries a token derived from the API token
///   (HMAC-SHA256 keyed with it), which another site cannot compute, since the API token
///   sits in an HttpOnly cookie; any replica checks it without shared state;
/// - every POST whose browser names its origin (`Origin`, `Sec-Fetch-Site`) must come from
///   the dashboard's own origin; the sign-in form, which has no API token yet, carries a
///   nonce that must match its cookie (double submit).
enum FormProtection {
    /// The form token of a page signed in with `apiToken`.
    static func formToken(for apiToken: String) -> String {
        let key = SymmetricKey(data: Data(apiToken.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("etcron dashboard form".utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `presented` is the form token of `apiToken` (compared in constant time).
    static func check(_ presented: String?, apiToken: String) -> Bool {
        guard let presented else { return false }
        return constantTimeEqual(presented, formToken(for: apiToken))
    }

    /// A fresh random nonce (128 bits, hex).
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Why a POST comes from another site, or nil when it does not (or its browser does
    /// not say): `Sec-Fetch-Site` must be `same-origin` (or `none`, typed by the user), and
    /// then decides; without it, `Origin` must be this host (`null`, an opaque origin, is
    /// refused).
    static func crossSiteRefusal(origin: String?, fetchSite: String?, host: String?) -> String? {
        if let fetchSite {
            return fetchSite == "same-origin" || fetchSite == "none" ? nil : "the form was sent from another site (Sec-Fetch-Site: \(fetchSite))"
        }
        guard let origin else { return nil }
        if origin == "null" { return "the form was sent from an opaque origin" }
        let bare = origin.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
        if let host, bare != host { return "the form was sent from another origin (\(origin), not \(host))" }
        return nil
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
