@testable import EtcronAPI
import EtcdTestHarness
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The job operations of `/v1` against a real `etcron operator` over real HTTP: writes with
/// their authors and resource versions, merge patch, the tenant matrix, bad input named
/// field by field, pagination, triggers that the leader runs, and the rate limit.
@Suite("API jobs", .serialized)
struct APIJobsTests {
    static let tokens: [(name: String, token: String, role: String, tenants: [String])] = [
        ("root", "admin-secret", "admin", []),
        ("team-a", "editor-a-secret", "editor", ["a"]),
        ("view-a", "viewer-a-secret", "viewer", ["a"]),
        ("team-b", "editor-b-secret", "editor", ["b"]),
    ]

    struct Answer {
        var status: Int
        var json: [String: Any]
        var headers: [AnyHashable: Any]
        var code: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var field: String? { (json["error"] as? [String: Any])?["field"] as? String }
    }

    static func call(
        _ port: Int, _ method: String, _ path: String, token: String?, body: String? = nil,
        contentType: String = "application/json", headers: [String: String] = [:]
    ) async throws -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 30  // etcd down: the store's calls wait out their deadline first
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return Answer(
            status: http.statusCode, json: (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:],
            headers: http.allHeaderFields)
    }

    /// A live replica with the token file of ``tokens``; by default its tenants' editors
    /// may write exec targets (a default target policy allowing them, as an admin would
    /// set it), since most tests here are not about target policies.
    static func withAPI(_ extra: [String] = [], allowExec: Bool = true, _ body: (Int) async throws -> Void) async throws {
        try await withAPICluster(extra, allowExec: allowExec) { port, _ in try await body(port) }
    }

    /// ``withAPI(_:allowExec:_:)`` with the etcd cluster it runs on.
    static func withAPICluster(_ extra: [String] = [], allowExec: Bool = true, _ body: (Int, EtcdCluster) async throws -> Void) async throws {
        try await withEtcd { cluster in
            let file = cluster.rootDirectory + "/tokens.yaml"
            let text = "tokens:\n" + tokens.map {
                "  - {name: \($0.name), sha256: \(APITokenBook.sha256Hex(of: $0.token)), role: \($0.role), tenants: [\($0.tenants.joined(separator: ","))]}\n"
            }.joined()
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            try await APIServerTests.withOperator(cluster, ["--api-tokens-file", file] + extra) { port, _ in
                try await APIServerTests.eventually("the HTTP server answers") { try await APIServerTests.get(port, "/v1/openapi.json").0 == 200 }
                if allowExec {
                    let policy = try await call(
                        port, "PUT", "/v1/target-policy/default", token: "admin-secret", body: #"{"exec": {"allowed": true}, "http": {"allowed": true}}"#)
                    #expect(policy.status == 201, "\(policy.json)")
                }
                try await body(port, cluster)
            }
        }
    }

    static let job = #"{"name": "nightly", "schedule": "0 3 * * *", "target": {"exec": {"command": "/bin/true"}}}"#

    @Test("create, read, replace, patch and delete, each with its author and resource version; stale versions write nothing")
    func lifecycle() async throws {
        try await Self.withAPI { port in
            let editor = "editor-a-secret"
            let created = try await Self.call(port, "POST", "/v1/tenants/a/jobs", token: editor, body: Self.job)
            #expect(created.status == 201)
            let version = try #require(created.json["resourceVersion"] as? String)
            #expect((created.json["metadata"] as? [String: Any])?["createdBy"] as? String == "team-a")
            #expect(created.headers["Location"] as? String == "/v1/tenants/a/jobs/nightly")
            #expect(created.headers["Etag"] as? String == "\"\(version)\"")
            #expect(try await Self.call(port, "POST", "/v1/tenants/a/jobs", token: editor, body: Self.job).code == "alreadyExists")

            let read = try await Self.call(port, "GET", "/v1/tenants/a/jobs/nightly", token: "viewer-a-secret")
            #expect(read.status == 200 && read.json["status"] != nil && read.json["resourceVersion"] as? String == version)

            // A patch: a field set, a label added; then null resets the zone.
            let patched = try await Self.call(
                port, "PATCH", "/v1/tenants/a/jobs/nightly", token: editor,
                body: #"{"timeZone": "Europe/Berlin", "labels": {"tier": "gold"}, "resourceVersion": "\#(version)"}"#,
                contentType: "application/merge-patch+json")
            #expect(patched.status == 200 && patched.json["timeZone"] as? String == "Europe/Berlin")
            let patchedVersion = try #require(patched.json["resourceVersion"] as? String)
            let reset = try await Self.call(
                port, "PATCH", "/v1/tenants/a/jobs/nightly", token: "admin-secret", body: #"{"timeZone": null}"#,
                contentType: "application/merge-patch+json")
            #expect(reset.status == 200 && reset.json["timeZone"] == nil && (reset.json["labels"] as? [String: Any])?["tier"] as? String == "gold")
            #expect((reset.json["metadata"] as? [String: Any])?["updatedBy"] as? String == "root")

            // Stale versions: 409 and nothing written.
            let stale = try await Self.call(
                port, "PUT", "/v1/tenants/a/jobs/nightly", token: editor,
                body: #"{"schedule": "0 4 * * *", "target": {"exec": {"command": "/bin/true"}}, "resourceVersion": "\#(patchedVersion)"}"#)
            #expect(stale.status == 409 && stale.code == "staleResourceVersion")
            #expect(try await Self.call(port, "GET", "/v1/tenants/a/jobs/nightly", token: editor).json["schedule"] as? String == "0 3 * * *")
            let staleDelete = try await Self.call(port, "DELETE", "/v1/tenants/a/jobs/nightly", token: editor, headers: ["If-Match": "\"\(patchedVersion)\""])
            #expect(staleDelete.status == 409)

            // Suspend with a note is recorded with who and why.
            let suspended = try await Self.call(port, "POST", "/v1/tenants/a/jobs/nightly/suspend", token: editor, body: #"{"note": "maintenance"}"#)
            let change = (suspended.json["metadata"] as? [String: Any])?["lastSuspendChange"] as? [String: Any]
            #expect(suspended.status == 200 && change?["by"] as? String == "team-a" && change?["note"] as? String == "maintenance")
            #expect(change?["action"] as? String == "suspend")

            let current = try #require(suspended.json["resourceVersion"] as? String)
            #expect(try await Self.call(port, "DELETE", "/v1/tenants/a/jobs/nightly", token: editor, headers: ["If-Match": "\"\(current)\""]).status == 204)
            #expect(try await Self.call(port, "GET", "/v1/tenants/a/jobs/nightly", token: editor).status == 404)
        }
    }

    @Test("tenant matrix: another tenant's jobs, runs and lists are 404 as if absent, a viewer's writes 403, and nothing is written")
    func tenants() async throws {
        try await Self.withAPI { port in
            #expect(try await Self.call(port, "POST", "/v1/tenants/b/jobs", token: "editor-b-secret", body: Self.job).status == 201)
            for token in ["editor-a-secret", "viewer-a-secret"] {
                for (method, path, body) in [
                    ("GET", "/v1/tenants/b/jobs/nightly", nil), ("GET", "/v1/jobs?tenant=b", nil), ("GET", "/v1/tenants/b/runs", nil),
                    ("GET", "/v1/tenants/b/jobs/nightly/runs", nil), ("GET", "/v1/tenants/b/jobs/nightly/decisions", nil),
                    ("PUT", "/v1/tenants/b/jobs/nightly", Self.job), ("DELETE", "/v1/tenants/b/jobs/nightly", nil),
                    ("POST", "/v1/tenants/b/jobs/nightly/trigger", nil), ("POST", "/v1/tenants/b/jobs/nightly/suspend", nil),
                    ("GET", "/v1/tenants/b/jobs/absent", nil),
                ] as [(String, String, String?)] {
                    let answer = try await Self.call(port, method, path, token: token, body: body)
                    #expect(answer.status == 404 && answer.code == "notFound", "\(token) \(method) \(path): \(answer.status)")
                }
            }
            let list = try await Self.call(port, "GET", "/v1/jobs", token: "editor-a-secret")
            #expect((list.json["items"] as? [Any])?.isEmpty == true, "a token lists only its tenants' jobs")
            #expect(try await Self.call(port, "POST", "/v1/tenants/a/jobs", token: "viewer-a-secret", body: Self.job).status == 403)
            #expect(try await Self.call(port, "GET", "/v1/quota/default", token: "editor-a-secret").status == 403)
            let untouched = try await Self.call(port, "GET", "/v1/tenants/b/jobs/nightly", token: "admin-secret")
            #expect(untouched.status == 200 && untouched.json["suspend"] == nil && untouched.json["resourceVersion"] != nil)
            #expect(try await Self.call(port, "GET", "/v1/jobs", token: "admin-secret").json["items"].map { ($0 as? [Any])?.count } == 1)
        }
    }

    @Test("bad input is named: malformed JSON, unknown and mistyped fields, invalid jobs, oversize bodies, bad parameters")
    func badInput() async throws {
        try await Self.withAPI(["--api-max-body-bytes", "4096"]) { port in
            let editor = "editor-a-secret"
            let post = { (body: String) in try await Self.call(port, "POST", "/v1/tenants/a/jobs", token: editor, body: body) }
            #expect(try await post(#"{"name": "#).code == "malformedJson")
            let unknown = try await post(#"{"name": "x", "schedul": "* * * * *"}"#)
            #expect(unknown.status == 400 && unknown.code == "unknownField" && unknown.field == "schedul")
            let nested = try await post(#"{"name": "x", "target": {"exec": {"comand": "/bin/true"}}}"#)
            #expect(nested.code == "unknownField" && nested.field == "target.exec.comand")
            let mistyped = try await post(#"{"name": "x", "retry": {"maxRetries": "3"}}"#)
            #expect(mistyped.status == 400 && mistyped.code == "wrongType" && mistyped.field == "retry.maxRetries")
            let invalid = try await post(#"{"name": "x", "schedule": "61 * * * *", "target": {"http": {"url": "ftp://x"}}}"#)
            let problems = ((invalid.json["error"] as? [String: Any])?["problems"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
            #expect(invalid.status == 422 && problems == ["schedule", "target.http.url"], "\(invalid.json)")
            let large = try await post(#"{"name": "x", "description": ""# + String(repeating: "d", count: 5000) + #""}"#)
            #expect(large.status == 413 && large.code == "payloadTooLarge")
            #expect(try await Self.call(port, "GET", "/v1/jobs?limit=5000", token: editor).field == "limit")
            #expect(try await Self.call(port, "GET", "/v1/jobs?continue=bm90LWEtdG9rZW4", token: editor).field == "continue")
            #expect(try await Self.call(port, "GET", "/v1/jobs?labelSelector=a%20in%20b", token: editor).field == "labelSelector")
            #expect(try await Self.call(port, "GET", "/v1/tenants/A_B/jobs/x", token: editor).field == "tenant")
            #expect(try await Self.call(port, "GET", "/v1/schedule?expr=61+*+*+*+*", token: editor).field == "expr")
            #expect(try await Self.call(port, "POST", "/v1/tenants/a/jobs", token: editor, body: Self.job, contentType: "text/plain").status == 415)
            #expect(try await Self.call(port, "GET", "/v1/jobs", token: editor).status == 200, "nothing above was written")
        }
    }

    @Test("pages: every job once across pages, filtered by labels; a trigger becomes a run of the leader, readable with who asked")
    func pagesAndTriggers() async throws {
        try await Self.withAPI(["--api-rate-limit", "5"]) { port in
            let admin = "admin-secret"
            for index in 0..<5 {
                let body = #"{"name": "job-\#(index)", "schedule": "0 0 1 1 *", "labels": {"parity": "\#(index % 2 == 0 ? "even" : "odd")"}, "target": {"exec": {"command": "/bin/true"}}}"#
                #expect(try await Self.call(port, "POST", "/v1/tenants/a/jobs", token: admin, body: body).status == 201)
                try await Task.sleep(for: .milliseconds(250))  // within the rate limit of 5 per second
            }
            var names: [String] = []
            var next: String?
            repeat {
                let path = "/v1/jobs?tenant=a&limit=2" + (next.map { "&continue=\($0)" } ?? "")
                let page = try await Self.call(port, "GET", path, token: "viewer-a-secret")
                #expect(page.status == 200)
                names += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                next = page.json["continue"] as? String
                try await Task.sleep(for: .milliseconds(250))
            } while next != nil
            #expect(names == (0..<5).map { "job-\($0)" })
            let even = try await Self.call(port, "GET", "/v1/jobs?labelSelector=parity%3Deven", token: admin)
            #expect((even.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["job-0", "job-2", "job-4"])

            let trigger = try await Self.call(port, "POST", "/v1/tenants/a/jobs/job-1/trigger", token: "editor-a-secret", body: #"{"note": "by hand"}"#)
            #expect(trigger.status == 202 && trigger.json["state"] as? String == "requested")
            let runID = try #require(trigger.json["runID"] as? String)
            try await APIServerTests.eventually("the run succeeds", within: 20) {
                try await Task.sleep(for: .milliseconds(300))
                let run = try await Self.call(port, "GET", "/v1/tenants/a/jobs/job-1/runs/\(runID)", token: "viewer-a-secret")
                return run.json["state"] as? String == "succeeded" && run.json["triggeredBy"] as? String == "team-a"
                    && run.json["note"] as? String == "by hand"
            }
            let runs = try await Self.call(port, "GET", "/v1/tenants/a/runs", token: "viewer-a-secret")
            #expect((runs.json["items"] as? [[String: Any]])?.first?["runID"] as? String == runID)

            // The rate limit: a burst past it is answered 429 with Retry-After.
            var limited: Answer?
            for _ in 0..<30 {
                let answer = try await Self.call(port, "GET", "/v1/cluster", token: admin)
                if answer.status == 429 { limited = answer; break }
            }
            #expect(limited?.code == "rateLimited" && limited?.headers["Retry-After"] != nil)
        }
    }
    @Test("quotas: admins set, read, list and delete them (recorded with the token), a create past the limit is 409, stale versions are 409")
    func quotas() async throws {
        try await Self.withAPI { port in
            let admin = "admin-secret"
            let set = try await Self.call(port, "PUT", "/v1/tenants/a/quota", token: admin, body: #"{"maxJobs": 1, "maxRunningRuns": 0, "note": "trial"}"#)
            #expect(set.status == 201 && set.json["updatedBy"] as? String == "root" && set.json["source"] as? String == "tenant", "\(set.json)")
            let version = try #require(set.json["resourceVersion"] as? String)
            #expect(try await Self.call(port, "POST", "/v1/tenants/a/jobs", token: "editor-a-secret", body: Self.job).status == 201)
            let over = try await Self.call(
                port, "POST", "/v1/tenants/a/jobs", token: "editor-a-secret",
                body: #"{"name": "second", "schedule": "0 3 * * *", "target": {"exec": {"command": "/bin/true"}}}"#)
            #expect(over.status == 409 && over.code == "quotaExceeded", "\(over.json)")
            let inForce = try await Self.call(port, "GET", "/v1/tenants/b/quota", token: admin)
            #expect(inForce.json["source"] as? String == "none")
            let list = try await Self.call(port, "GET", "/v1/quotas", token: admin)
            #expect((list.json["items"] as? [[String: Any]])?.compactMap { $0["tenant"] as? String } == ["a"])
            let bumped = try await Self.call(port, "PUT", "/v1/tenants/a/quota", token: admin, body: #"{"maxJobs": 5, "maxRunningRuns": 0}"#)
            #expect(bumped.status == 200)
            let stale = try await Self.call(
                port, "PUT", "/v1/tenants/a/quota", token: admin, body: #"{"maxJobs": 9, "maxRunningRuns": 0, "resourceVersion": "\#(version)"}"#)
            #expect(stale.status == 409 && stale.code == "staleResourceVersion")
            let bad = try await Self.call(port, "PUT", "/v1/quota/default", token: admin, body: #"{"maxJobs": -1, "maxRunningRuns": 0}"#)
            #expect(bad.status == 422 && bad.field == "maxJobs", "\(bad.json)")
            #expect(try await Self.call(port, "DELETE", "/v1/tenants/a/quota", token: admin, headers: ["If-Match": "\"\(version)\""]).status == 409)
            #expect(try await Self.call(port, "DELETE", "/v1/tenants/a/quota", token: admin).status == 204)
            #expect(try await Self.call(port, "DELETE", "/v1/tenants/a/quota", token: admin).status == 404)
        }
    }
    @Test("etcd unreachable: reads and writes answer 503 unavailable, never 500; etcd back, they work again")
    func etcdDown() async throws {
        try await Self.withAPICluster { port, cluster in
            let editor = "editor-a-secret"
            #expect(try await Self.call(port, "POST", "/v1/tenants/a/jobs", token: editor, body: Self.job).status == 201)
            try await cluster.stop(0)
            for (method, path, body) in [
                ("GET", "/v1/tenants/a/jobs/nightly", nil), ("GET", "/v1/jobs", nil), ("PUT", "/v1/tenants/a/jobs/nightly", Self.job),
                ("POST", "/v1/tenants/a/jobs/nightly/trigger", nil),
            ] as [(String, String, String?)] {
                let answer = try await Self.call(port, method, path, token: editor, body: body)
                #expect(answer.status == 503 && answer.code == "unavailable", "\(method) \(path): \(answer.status) \(answer.json)")
            }
            try await cluster.restart(0)
            try await APIServerTests.eventually("etcd answers again", within: 30) {
                try await Self.call(port, "GET", "/v1/tenants/a/jobs/nightly", token: editor).status == 200
            }
        }
    }
}
