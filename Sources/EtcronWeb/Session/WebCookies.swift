import Foundation

/// The dashboard's cookies: the signed-in API token (`etcron_token`, HttpOnly,
/// SameSite=Lax, 12 hours) and the sign-in form's nonce (`etcron_signin`, HttpOnly,
/// SameSite=Strict, 10 minutes, only sent to `/login`). Values are percent-encoded, since
/// a token may hold characters a cookie may not.
enum WebCookies {
    /// The cookie that holds the API token.
    static let token = "etcron_token"
    /// The cookie that holds the sign-in form's nonce.
    static let signIn = "etcron_signin"
    /// How long a sign-in lasts, in seconds.
    static let tokenLifetime = 12 * 3600

    /// The cookies of a `Cookie` header, by name (the first of a repeated name wins).
    static func parse(_ header: String?) -> [String: String] {
        var cookies: [String: String] = [:]
        for pair in (header ?? "").split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard cookies[name] == nil, let value = parts[1].trimmingCharacters(in: .whitespaces).removingPercentEncoding else { continue }
            cookies[name] = value
        }
        return cookies
    }

    /// A `Set-Cookie` value; `maxAge` 0 deletes the cookie.
    static func set(_ name: String, _ value: String, path: String, sameSite: String, maxAge: Int, secure: Bool) -> String {
        let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "\(name)=\(encoded); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=\(sameSite)" + (secure ? "; Secure" : "")
    }
}
