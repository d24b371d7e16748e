import EtcdTestHarness
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The admin-only gameday actions of a real `etcron operator` over real HTTP, with real
/// etcd: who may ask, what is refused and named, and what each action does to the replica
/// that acts (the leader for step-down and freeze, the run's executor for a crash).
@Suite("API gameday actions", .serialized)
struct APIGamedayTests {
    typealias API = APIJobsTests
    static let enabled = ["--gameday-actions", "true"]

    static func leader(_ port: Int) async throws -> (id: String, token: String)? {
        let answer = try await API.call(port, "GET", "/v1/cluster", token: "admin-secret")
        guard let leader = answer.json["leader"] as? [String: Any], let id = leader["replicaID"] as? String,
            let token = leader["fencingToken"] as? String
        else { return nil }
        return (id, token)
    }

    static func members(_ port: Int) async throws -> [String] {
        let members = try await API.call(port, "GET", "/v1/cluster", token: "admin-secret").json["members"] as? [[String: Any]] ?? []
        return members.compactMap { $0["replicaID"] as? String }.sorted()
    }

    static func action(_ port: Int, _ id: String) async throws -> [String: Any]? {
        let items = try await API.call(port, "GET", "/v1/gameday/actions", token: "admin-secret").json["items"] as? [[String: Any]] ?? []
        return items.first { $0["id"] as? String == id }
    }

    /// A second replica of the same install on `cluster`, with gameday actions enabled.
    static func withSecondReplica(_ cluster: EtcdCluster, _ body: (ManagedProcess) async throws -> Void) async throws {
        let process = try await ManagedProcess.start(
            try EtcronExecutable.locate(),
            arguments: ["operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","), "--replica-id", "api-2",
                "--http-listen", "127.0.0.1:\(try LoopbackPorts.allocate())", "--lease-ttl", "2",
                "--api-tokens-file", cluster.rootDirectory + "/tokens.yaml"] + enabled,
            logFile: cluster.rootDirectory + "/api-2.log")
        defer { Task { await process.kill() } }
        try await body(process)
        await process.kill()
    }

    @Test("without gameday-actions every action is 403 gamedayDisabled, saying so")
    func disabled() async throws {
        try await API.withAPI { port in
            for (path, body) in [("step-down", nil), ("freeze", #"{"seconds": 5}"#)] as [(String, String?)] {
                let answer = try await API.call(port, "POST", "/v1/gameday/\(path)", token: "admin-secret", body: body)
                #expect(answer.status == 403 && answer.code == "gamedayDisabled", "\(answer.json)")
                #expect(((answer.json["error"] as? [String: Any])?["message"] as? String)?.contains("disabled on this install") == true)
            }
            #expect(try await API.call(port, "GET", "/v1/gameday/actions", token: "admin-secret").code == "gamedayDisabled")
        }
    }

    @Test("only admin tokens may ask; bad input is refused naming the field, never a 500")
    func refusals() async throws {
        try await API.withAPI(Self.enabled) { port in
            for token in ["editor-a-secret", "viewer-a-secret", "editor-b-secret"] {
                let answer = try await API.call(port, "POST", "/v1/gameday/step-down", token: token)
                #expect(answer.status == 403 && answer.code == "forbidden", "\(token): \(answer.json)")
                #expect(try await API.call(port, "POST", "/v1/gameday/freeze", token: token, body: #"{"seconds": 5}"#).status == 403)
            }
            #expect(try await API.call(port, "POST", "/v1/gameday/step-down", token: nil).status == 401)
            for seconds in ["0", "301", "-4"] {
                let answer = try await API.call(port, "POST", "/v1/gameday/freeze", token: "admin-secret", body: #"{"seconds": \#(seconds)}"#)
                #expect(answer.status == 422 && answer.field == "seconds", "\(seconds): \(answer.json)")
            }
            let wrongType = try await API.call(port, "POST", "/v1/gameday/freeze", token: "admin-secret", body: #"{"seconds": "ten"}"#)
            #expect(wrongType.status == 400 && wrongType.field == "seconds", "\(wrongType.json)")
            let unknown = try await API.call(port, "POST", "/v1/gameday/freeze", token: "admin-secret", body: #"{"seconds": 5, "hard": true}"#)
            #expect(unknown.status == 400, "\(unknown.json)")
            let badRun = try await API.call(
                port, "POST", "/v1/gameday/crash-executor", token: "admin-secret", body: #"{"tenant": "a", "job": "Bad_Name", "runID": "x y"}"#)
            #expect(badRun.status == 422 && badRun.field == "job", "\(badRun.json)")
            let problems = (badRun.json["error"] as? [String: Any])?["problems"] as? [[String: Any]] ?? []
            #expect(problems.compactMap { $0["field"] as? String } == ["job", "runID"], "\(problems)")
            let missing = try await API.call(
                port, "POST", "/v1/gameday/crash-executor", token: "admin-secret",
                body: #"{"tenant": "a", "job": "nightly", "runID": "s-001767234600-9f86d081884c7d65"}"#)
            #expect(missing.status == 404 && missing.code == "notFound", "\(missing.json)")
        }
    }

    @Test("a step-down hands leadership to a new term, recorded with who asked and what the leader did")
    func stepDown() async throws {
        try await API.withAPI(Self.enabled) { port in
            try await APIServerTests.eventually("a leader is elected") { try await Self.leader(port) != nil }
            let before = try #require(try await Self.leader(port))
            let answer = try await API.call(port, "POST", "/v1/gameday/step-down", token: "admin-secret")
            #expect(answer.status == 202, "\(answer.json)")
            #expect(answer.json["kind"] as? String == "stepDown" && answer.json["requestedBy"] as? String == "root")
            #expect(answer.json["targetReplicaID"] as? String == before.id && answer.json["targetFencingToken"] as? String == before.token)
            #expect(answer.json["requestedAt"] is String)
            try await APIServerTests.eventually("a new term leads") { try await Self.leader(port).map { $0.token != before.token } == true }
            let id = try #require(answer.json["id"] as? String)
            try await APIServerTests.eventually("the leader records what it did") { try await Self.action(port, id)?["outcome"] != nil }
            let record = try #require(try await Self.action(port, id))
            #expect(record["requestedBy"] as? String == "root" && (record["outcome"] as? String)?.hasPrefix("stepped down") == true, "\(record)")
            #expect(record["actedAt"] is String)
        }
    }

    @Test("a freeze past the lease TTL loses leadership to another replica; the frozen one rejoins as a follower")
    func freeze() async throws {
        try await API.withAPICluster(Self.enabled) { port, cluster in
            try await APIServerTests.eventually("api-1 leads") { try await Self.leader(port)?.id == "api-1" }
            try await Self.withSecondReplica(cluster) { _ in
                try await APIServerTests.eventually("both are members") { try await Self.members(port) == ["api-1", "api-2"] }
                let before = try #require(try await Self.leader(port))
                let answer = try await API.call(port, "POST", "/v1/gameday/freeze", token: "admin-secret", body: #"{"seconds": 5}"#)
                #expect(answer.status == 202 && answer.json["freezeSeconds"] as? Int == 5, "\(answer.json)")
                let asked = ContinuousClock.now
                // The lease (TTL 2 s) expires while api-1 is frozen: api-2 leads.
                try await APIServerTests.eventually("api-2 leads", within: 5) { try await Self.leader(port)?.id == "api-2" }
                #expect(ContinuousClock.now - asked < .seconds(5), "the new leader is elected during the freeze")
                #expect(try await Self.leader(port)?.token != before.token)
                // After the thaw api-1 finds its lease gone and rejoins under a new session.
                try await APIServerTests.eventually("api-1 is a member again", within: 15) { try await Self.members(port) == ["api-1", "api-2"] }
                #expect(try await Self.leader(port)?.id == "api-2", "the frozen replica rejoins as a follower")
                let log = try String(contentsOfFile: cluster.rootDirectory + "/api-1.log", encoding: .utf8)
                #expect(log.contains("stopped leading"), "\(log.suffix(2000))")
            }
        }
    }

    @Test("a crash drops the executor's session: the run's executor is lost and its retry policy runs it again")
    func crash() async throws {
        try await API.withAPI(Self.enabled) { port in
            let job = #"{"name": "long", "schedule": "0 0 1 1 *", "retry": {"maxRetries": 1}, "target": {"exec": {"command": "/bin/sleep", "args": ["5"]}}}"#
            #expect(try await API.call(port, "POST", "/v1/tenants/a/jobs", token: "admin-secret", body: job).status == 201)
            let trigger = try await API.call(port, "POST", "/v1/tenants/a/jobs/long/trigger", token: "admin-secret", body: "{}")
            let runID = try #require(trigger.json["runID"] as? String, "\(trigger.json)")
            let path = "/v1/tenants/a/jobs/long/runs/\(runID)"
            try await APIServerTests.eventually("the run is running", within: 20) {
                try await API.call(port, "GET", path, token: "admin-secret").json["state"] as? String == "running"
            }
            let editor = try await API.call(
                port, "POST", "/v1/gameday/crash-executor", token: "editor-a-secret", body: #"{"tenant": "a", "job": "long", "runID": "\#(runID)"}"#)
            #expect(editor.status == 403, "an editor of the run's tenant may not crash it either")
            let answer = try await API.call(
                port, "POST", "/v1/gameday/crash-executor", token: "admin-secret", body: #"{"tenant": "a", "job": "long", "runID": "\#(runID)"}"#)
            #expect(answer.status == 202 && answer.json["targetReplicaID"] as? String == "api-1" && answer.json["runID"] as? String == runID, "\(answer.json)")
            // The lease is left to expire (TTL 2 s); the replica is back at once under a new
            // session, so the leader finds the run's executor lost and retries it.
            try await APIServerTests.eventually("the run is retried, per its policy, and succeeds", within: 30) {
                let run = try await API.call(port, "GET", path, token: "admin-secret").json
                return run["state"] as? String == "succeeded" || run["state"] as? String == "executorLost"
            }
            let run = try await API.call(port, "GET", path, token: "admin-secret").json
            #expect(run["state"] as? String == "succeeded" && run["attempts"] as? Int == 2, "maxRetries 1: a second attempt after the lost one: \(run)")
            let id = try #require(answer.json["id"] as? String)
            let record = try #require(try await Self.action(port, id))
            #expect((record["outcome"] as? String)?.contains("dropped session") == true && record["requestedBy"] as? String == "root", "\(record)")
            #expect(try await APIServerTests.get(port, "/readyz").0 == 200, "the replica serves again under its new session")
        }
    }
}
