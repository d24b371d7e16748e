import Foundation
import Testing

/// Target policies through a live replica: editors are bound by their tenant's policy
/// (403 `targetNotAllowed`, naming the field, nothing written), admins are not, admins set
/// the policies, and the leader refuses to run an editor's exec job once the policy no
/// longer allows it.
@Suite("API target policies", .serialized)
struct APITargetPolicyTests {
    static let exec = #"{"name": "%@", "schedule": "0 0 1 1 *", "target": {"exec": {"command": "%@"}}}"#

    static func job(_ name: String, command: String) -> String {
        String(format: exec, name, command)
    }

    @Test("the built-in policy refuses an editor's exec job and http to metadata; a tenant policy allows listed commands; the leader refuses once it no longer does")
    func policies() async throws {
        try await APIJobsTests.withAPI(allowExec: false) { port in
            let editor = "editor-a-secret"
            let admin = "admin-secret"
            let call = { (method: String, path: String, token: String, body: String?) in
                try await APIJobsTests.call(port, method, path, token: token, body: body)
            }
            let refused = try await call("POST", "/v1/tenants/a/jobs", editor, Self.job("shell", command: "/bin/true"))
            #expect(refused.status == 403 && refused.code == "targetNotAllowed" && refused.field == "target.exec", "\(refused.json)")
            let metadata = try await call(
                "POST", "/v1/tenants/a/jobs", editor,
                #"{"name": "meta", "schedule": "0 0 1 1 *", "target": {"http": {"url": "http://169.254.169.254/latest/meta-data"}}}"#)
            #expect(metadata.status == 403 && metadata.field == "target.http.url")
            #expect(try await call("GET", "/v1/tenants/a/jobs/shell", admin, nil).status == 404, "nothing written")
            #expect(try await call("POST", "/v1/tenants/a/jobs", admin, Self.job("admins", command: "/bin/true")).status == 201, "admins are not bound")

            let builtIn = try await call("GET", "/v1/tenants/a/target-policy", admin, nil)
            #expect(builtIn.json["source"] as? String == "builtIn")
            #expect(try await call("GET", "/v1/tenants/a/target-policy", editor, nil).status == 403)
            let set = try await call(
                "PUT", "/v1/tenants/a/target-policy", admin,
                #"{"exec": {"allowed": true, "commands": ["/bin/true"]}, "http": {"allowed": true}, "note": "payroll scripts"}"#)
            #expect(set.status == 201 && set.json["source"] as? String == "tenant" && set.json["updatedBy"] as? String == "root", "\(set.json)")
            let badNetwork = try await call("PUT", "/v1/target-policy/default", admin, #"{"exec": {"allowed": false}, "http": {"allowed": true, "deniedNetworks": ["10.0.0.0/99"]}}"#)
            #expect(badNetwork.status == 422 && badNetwork.field == "http.deniedNetworks[0]", "\(badNetwork.json)")

            #expect(try await call("POST", "/v1/tenants/a/jobs", editor, Self.job("allowed", command: "/bin/true")).status == 201)
            let other = try await call("POST", "/v1/tenants/a/jobs", editor, Self.job("other", command: "/bin/sh"))
            #expect(other.status == 403 && other.field == "target.exec.command")

            // The admin takes exec away: the editor's job is no longer run.
            #expect(try await call("PUT", "/v1/tenants/a/target-policy", admin, #"{"exec": {"allowed": false}, "http": {"allowed": true}}"#).status == 200)
            try await Task.sleep(for: .milliseconds(300))  // the leader's watch
            let trigger = try await call("POST", "/v1/tenants/a/jobs/allowed/trigger", editor, nil)
            let runID = try #require(trigger.json["runID"] as? String)
            var run: [String: Any] = [:]
            try await APIServerTests.eventually("the leader refuses the run", within: 15) {
                run = try await call("GET", "/v1/tenants/a/jobs/allowed/runs/\(runID)", editor, nil).json
                return run["state"] as? String == "failed"
            }
            #expect((run["message"] as? String)?.contains("does not allow exec") == true, "\(run)")
            #expect(run["startedAt"] == nil, "never started")
            // The admin's own exec job is not bound.
            let adminRun = try #require(try await call("POST", "/v1/tenants/a/jobs/admins/trigger", admin, nil).json["runID"] as? String)
            try await APIServerTests.eventually("the admin's job runs", within: 15) {
                try await call("GET", "/v1/tenants/a/jobs/admins/runs/\(adminRun)", admin, nil).json["state"] as? String == "succeeded"
            }
            #expect(try await call("DELETE", "/v1/tenants/a/target-policy", admin, nil).status == 204)
            #expect(try await call("DELETE", "/v1/tenants/a/target-policy", admin, nil).status == 404)
        }
    }
}
