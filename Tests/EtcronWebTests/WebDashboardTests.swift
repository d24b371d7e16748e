@testable import EtcronAPI
import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The dashboard at `/` of a real `etcron operator` over real HTTP: sign-in with a token
/// into an HttpOnly cookie, the API's tenant scoping and roles, forms protected against
/// cross-site forgery, run now / suspend / resume recorded with their author, escaped
/// output, errors as pages with the API's status, and a list paginated 50 at a time.
@Suite("web dashboard", .serialized)
struct WebDashboardTests {
    static let tokens: [(name: String, token: String, role: String, tenants: [String])] = [
        ("root", "admin-secret", "admin", []),
        ("team-a", "editor-a-secret", "editor", ["a"]),
        ("view-a", "viewer-a-secret", "viewer", ["a"]),
        ("team-b", "editor-b-secret", "editor", ["b"]),
    ]

    /// A live replica with the token file of ``tokens``, and its etcd.
    static func withDashboard(_ body: (Int, EtcdCluster, String) async throws -> Void) async throws {
        try await withEtcd { cluster in
            let file = cluster.rootDirectory + "/tokens.yaml"
            try tokenFile(tokens).write(toFile: file, atomically: true, encoding: .utf8)
            let port = try LoopbackPorts.allocate()
            let process = try await ManagedProcess.start(
                try EtcronExecutable.locate(),
                arguments: ["operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","), "--replica-id", "web-1",
                    "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", "2", "--api-tokens-file", file],
                logFile: cluster.rootDirectory + "/web-1.log")
            defer { Task { await process.kill() } }
            try await eventually("the dashboard answers") { try await WebClient(port: port).get("/login").status == 200 }
            try await body(port, cluster, file)
            await process.kill()
        }
    }

    static func tokenFile(_ entries: [(name: String, token: String, role: String, tenants: [String])]) -> String {
        "tokens:\n" + entries.map {
            "  - {name: \($0.name), sha256: \(APITokenBook.sha256Hex(of: $0.token)), role: \($0.role), tenants: [\($0.tenants.joined(separator: ","))]}\n"
        }.joined()
    }

    static func eventually(_ what: String, within seconds: Double = 15, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting until \(what)")
    }

    /// Writes jobs straight into the store (as an administrator's `etcron apply` would).
    static func apply(_ cluster: EtcdCluster, _ jobs: [(tenant: String, name: String, description: String)]) async throws {
        let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
        let store = JobStore(client: client, keys: JobKeys(ReplicaKeys(prefix: "/etcron/")))
        var specs: [Etcron_V1_JobSpec] = []
        for job in jobs {
            var spec = Etcron_V1_JobSpec()
            spec.tenant = job.tenant
            spec.name = job.name
            spec.schedule = "0 3 * * *"
            spec.description_p = job.description
            spec.target.exec.command = "/bin/true"
            specs.append(spec)
        }
        _ = try await store.apply(specs)
        await client.close()
    }

    @Test("signing in sets an HttpOnly, SameSite cookie; each token sees its tenants only; a revoked token is signed out")
    func signInAndScope() async throws {
        try await Self.withDashboard { port, cluster, file in
            try await Self.apply(cluster, [("a", "backup", "team a's backup"), ("b", "report", "team b's report")])
            let browser = WebClient(port: port)
            let anonymous = try await browser.get("/jobs/a/backup")
            #expect(anonymous.status == 303 && anonymous.location == "/login?next=%2Fjobs%2Fa%2Fbackup")

            let form = try await browser.get("/login")
            #expect(form.status == 200 && form.cookies.contains { $0.hasPrefix("etcron_signin=") && $0.contains("HttpOnly") })
            let nonce = try #require(WebClient.field("nonce", in: form.body))
            let stale = try await browser.post("/login", ["token": "editor-a-secret", "nonce": "not-the-nonce"])
            #expect(stale.status == 403 && stale.body.contains("expired or was not sent by this dashboard"))
            // Each form answer carries a fresh nonce (and cookie): the refused one's is next.
            let renewed = try #require(WebClient.field("nonce", in: stale.body))
            #expect(renewed != nonce)
            let wrong = try await browser.post("/login", ["token": "not-a-token", "nonce": renewed])
            #expect(wrong.status == 401 && wrong.body.contains("unknown or revoked token"))

            let signedIn = try await browser.signIn("editor-a-secret")
            #expect(signedIn.status == 303 && signedIn.location == "/")
            let cookie = try #require(signedIn.cookies.first { $0.hasPrefix("etcron_token=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"))

            let list = try await browser.get("/")
            #expect(list.status == 200 && list.body.contains("/jobs/a/backup") && !list.body.contains("report"))
            #expect(list.headers["content-security-policy"]?.contains("default-src 'none'") == true)
            #expect(list.body.contains("team-a (editor: a)"))
            #expect(try await browser.get("/jobs/b/report").status == 404)
            #expect(try await browser.get("/?tenant=b").status == 404)

            let admin = WebClient(port: port)
            _ = try await admin.signIn("admin-secret")
            let all = try await admin.get("/")
            #expect(all.body.contains("/jobs/a/backup") && all.body.contains("/jobs/b/report"))

            // The token file drops team-a: its next page asks it to sign in again.
            try Self.tokenFile(Self.tokens.filter { $0.name != "team-a" }).write(toFile: file, atomically: true, encoding: .utf8)
            try await Self.eventually("the revoked token is signed out") { try await browser.get("/").status == 303 }
            // Signing out clears the cookie.
            let page = try await admin.get("/cluster")
            let out = try await admin.post("/logout", ["csrf": try #require(WebClient.field("csrf", in: page.body))])
            #expect(out.status == 303 && out.location == "/login" && out.cookies.contains { $0.contains("Max-Age=0") })
            #expect(try await admin.get("/").status == 303)
        }
    }

    @Test("run now, suspend and resume need the session's form token and a writing role, and record who and why")
    func actions() async throws {
        try await Self.withDashboard { port, cluster, _ in
            try await Self.apply(cluster, [("a", "backup", "")])
            let editor = WebClient(port: port)
            _ = try await editor.signIn("editor-a-secret")
            let page = try await editor.get("/jobs/a/backup")
            #expect(page.status == 200 && page.body.contains("id=\"run-now\"") && page.body.contains("id=\"suspend\""))
            let csrf = try #require(WebClient.field("csrf", in: page.body))

            let forged = try await editor.post("/jobs/a/backup/run", ["note": "x"])
            #expect(forged.status == 403 && forged.body.contains("form token"))
            let crossSite = try await editor.post("/jobs/a/backup/run", ["csrf": csrf], headers: ["Origin": "https://evil.example"])
            #expect(crossSite.status == 403 && crossSite.body.contains("another origin"))

            let run = try await editor.post("/jobs/a/backup/run", ["csrf": csrf, "note": "restore test <b>"])
            #expect(run.status == 303)
            let location = try #require(run.location)
            #expect(location.hasPrefix("/jobs/a/backup?done=triggered&run=m-"))
            let after = try await editor.get(location)
            #expect(after.body.contains("Run requested: m-"))
            try await Self.eventually("the manual run shows on the job's page") {
                let body = try await editor.get("/jobs/a/backup").body
                return body.contains("restore test &lt;b&gt;") && body.contains("badge manual")
            }

            let suspended = try await editor.post("/jobs/a/backup/suspend", ["csrf": csrf, "note": "migrating"])
            #expect(suspended.status == 303)
            let suspendedPage = try await editor.get("/jobs/a/backup")
            #expect(suspendedPage.body.contains("badge suspended") && suspendedPage.body.contains("by team-a “migrating”"))
            #expect(suspendedPage.body.contains("id=\"resume\""))
            #expect(try await editor.post("/jobs/a/backup/resume", ["csrf": csrf]).status == 303)
            #expect(!(try await editor.get("/jobs/a/backup").body.contains("badge suspended")))

            let viewer = WebClient(port: port)
            _ = try await viewer.signIn("viewer-a-secret")
            let viewerPage = try await viewer.get("/jobs/a/backup")
            #expect(viewerPage.status == 200 && !viewerPage.body.contains("id=\"run-now\"") && viewerPage.body.contains("may only look"))
            let viewerCSRF = try #require(WebClient.field("csrf", in: viewerPage.body))
            let refused = try await viewer.post("/jobs/a/backup/run", ["csrf": viewerCSRF])
            #expect(refused.status == 403 && refused.body.contains("is a viewer"))

            let other = WebClient(port: port)
            _ = try await other.signIn("editor-b-secret")
            let otherCSRF = try #require(WebClient.field("csrf", in: try await other.get("/").body))
            #expect(try await other.post("/jobs/a/backup/suspend", ["csrf": otherCSRF]).status == 404)
            #expect(try await editor.post("/jobs/a/backup/explode", ["csrf": csrf]).status == 404)
        }
    }

    @Test("values are escaped; bad filters, continue tokens and oversized forms are named errors, never a 500")
    func escapingAndErrors() async throws {
        try await Self.withDashboard { port, cluster, _ in
            try await Self.apply(cluster, [("a", "xss", "<script>alert('x')</script>")])
            let browser = WebClient(port: port)
            _ = try await browser.signIn("admin-secret")
            let page = try await browser.get("/jobs/a/xss")
            #expect(page.status == 200 && !page.body.contains("<script>") && page.body.contains("&lt;script&gt;alert(&#39;x&#39;)"))

            let selector = try await browser.get("/?labelSelector=tier%20in")
            #expect(selector.status == 400 && selector.body.contains("labelSelector:"))
            let token = try await browser.get("/?continue=garbage")
            #expect(token.status == 400 && token.body.contains("continue:"))
            #expect(try await browser.get("/?tenant=Not_A_Name").status == 400)
            #expect(try await browser.get("/jobs/a/absent").status == 404)
            let csrf = try #require(WebClient.field("csrf", in: page.body))
            let huge = try await browser.post("/jobs/a/xss/run", ["csrf": csrf, "note": String(repeating: "n", count: 20_000)])
            #expect(huge.status == 413)
            let long = try await browser.post("/jobs/a/xss/run", ["csrf": csrf, "note": String(repeating: "n", count: 2000)])
            #expect(long.status == 422 && long.body.contains("note: is 2000 characters long"))
        }
    }

    @Test("the list pages 50 jobs at a time with continue links; the cluster page shows the leader and its term")
    func paginationAndCluster() async throws {
        try await Self.withDashboard { port, cluster, _ in
            try await Self.apply(cluster, (0..<120).map { ("a", String(format: "job-%03d", $0), "") })
            let browser = WebClient(port: port)
            _ = try await browser.signIn("editor-a-secret")
            var path = "/"
            var seen: [String] = []
            for _ in 0..<3 {
                let page = try await browser.get(path)
                #expect(page.status == 200)
                seen += page.body.components(separatedBy: "href=\"/jobs/a/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
                guard let next = page.body.range(of: "id=\"next-page\" href=\"") else { break }
                path = String(page.body[next.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            }
            #expect(seen == (0..<120).map { String(format: "job-%03d", $0) })

            try await Self.eventually("a leader is elected") { try await browser.get("/cluster").body.contains("id=\"leader-replica\">web-1") }
            let page = try await browser.get("/cluster")
            #expect(page.body.contains("id=\"terms\"") && page.body.contains("(so far)"))
        }
    }
}
