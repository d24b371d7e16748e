@testable import EtcronWeb
import Testing

@Suite("dashboard form protection")
struct FormProtectionTests {
    @Test("the form token is keyed by the API token: stable for one, different for another, checked in constant time")
    func formToken() {
        let a = FormProtection.formToken(for: "token-a")
        #expect(a.count == 64 && a == FormProtection.formToken(for: "token-a"))
        #expect(a != FormProtection.formToken(for: "token-b"))
        #expect(FormProtection.check(a, apiToken: "token-a"))
        #expect(!FormProtection.check(a, apiToken: "token-b"))
        #expect(!FormProtection.check(nil, apiToken: "token-a"))
        #expect(!FormProtection.check(String(a.dropLast()), apiToken: "token-a"))
    }

    @Test("a POST from another site or origin is refused; same-origin and browsers that say nothing pass")
    func crossSite() {
        #expect(FormProtection.crossSiteRefusal(origin: nil, fetchSite: nil, host: "etcron:8080") == nil)
        #expect(FormProtection.crossSiteRefusal(origin: "http://etcron:8080", fetchSite: "same-origin", host: "etcron:8080") == nil)
        #expect(FormProtection.crossSiteRefusal(origin: "https://evil.example", fetchSite: nil, host: "etcron:8080") != nil)
        #expect(FormProtection.crossSiteRefusal(origin: nil, fetchSite: "cross-site", host: "etcron:8080") != nil)
        #expect(FormProtection.crossSiteRefusal(origin: nil, fetchSite: "same-site", host: "etcron:8080") != nil)
        #expect(FormProtection.crossSiteRefusal(origin: "null", fetchSite: nil, host: "etcron:8080") != nil)
        // A browser that says same-origin is believed (it may still send `Origin: null`).
        #expect(FormProtection.crossSiteRefusal(origin: "null", fetchSite: "same-origin", host: "etcron:8080") == nil)
        #expect(FormProtection.crossSiteRefusal(origin: "https://evil.example", fetchSite: "cross-site", host: "etcron:8080") != nil)
    }

    @Test("cookies round-trip tokens with characters a cookie may not hold, and carry their flags")
    func cookies() {
        let set = WebCookies.set(WebCookies.token, "a b;c=d", path: "/", sameSite: "Lax", maxAge: 60, secure: true)
        #expect(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Secure") && set.contains("Max-Age=60"))
        let value = String(set.split(separator: ";")[0])
        #expect(WebCookies.parse("other=1; " + value)[WebCookies.token] == "a b;c=d")
        #expect(!WebCookies.set("x", "y", path: "/", sameSite: "Strict", maxAge: 0, secure: false).contains("Secure"))
    }

    @Test("after sign-in, only paths of the dashboard itself are followed")
    func safeNext() {
        #expect(WebPaths.safeNext("/jobs/a/b?x=1") == "/jobs/a/b?x=1")
        #expect(WebPaths.safeNext("//evil.example/") == "/")
        #expect(WebPaths.safeNext("https://evil.example/") == "/")
        #expect(WebPaths.safeNext("/\\evil.example") == "/")
        #expect(WebPaths.safeNext(nil) == "/")
    }
}
