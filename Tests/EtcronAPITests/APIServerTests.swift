@testable import EtcronAPI
import EtcdTestHarness
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `/v1` API of a real `etcron operator` process over real HTTP: its contract, bearer
/// tokens from the token file, refusals in the contract's error form, and the token file
/// re-read while serving.
@Suite("API server", .serialized)
struct APIServerTests {
    static let adminToken = "admin-token-for-tests"
    static let laterToken = "token-added-while-serving"

    static func tokenFile(_ entries: [(name: String, token: String, role: String)]) -> String {
        "tokens:\n" + entries.map { "  - {name: \($0.name), sha256: \(APITokenBook.sha256Hex(of: $0.token)), role: \($0.role)}\n" }.joined()
    }

    /// `GET path` with an optional bearer token: status, JSON body (nil if none), headers.
    static func get(_ port: Int, _ path: String, token: String? = nil) async throws -> (Int, [String: Any]?, [AnyHashable: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.timeoutInterval = 5
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, try? JSONSerialization.jsonObject(with: data) as? [String: Any], http.allHeaderFields)
    }

    static func errorCode(_ body: [String: Any]?) -> String? {
        (body?["error"] as? [String: Any])?["code"] as? String
    }

    /// Runs one operator with `arguments` against `cluster`; stops it after `body`.
    static func withOperator(
        _ cluster: EtcdCluster, _ arguments: [String], _ body: (Int, ManagedProcess) async throws -> Void
    ) async throws {
        let port = try LoopbackPorts.allocate()
        let process = try await ManagedProcess.start(
            try EtcronExecutable.locate(),
            arguments: ["operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","), "--replica-id", "api-1",
                "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", "2"] + arguments,
            logFile: cluster.rootDirectory + "/api-1.log")
        defer { Task { await process.kill() } }
        try await body(port, process)
        await process.kill()
    }

    static func eventually(_ what: String, within seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting until \(what)")
    }

    @Test("the contract is public; /v1 needs a valid bearer token, answers errors as JSON, and a token file change takes effect while serving")
    func tokens() async throws {
        try await withEtcd { cluster in
            let file = cluster.rootDirectory + "/tokens.yaml"
            try Self.tokenFile([("platform-admins", Self.adminToken, "admin")]).write(toFile: file, atomically: true, encoding: .utf8)
            try await Self.withOperator(cluster, ["--api-tokens-file", file]) { port, _ in
                try await Self.eventually("the HTTP server answers") { try await Self.get(port, "/v1/openapi.json").0 == 200 }
                let (status, contract, _) = try await Self.get(port, "/v1/openapi.json")
                #expect(status == 200 && contract?["openapi"] as? String == "3.1.0")
                #expect((contract?["paths"] as? [String: Any])?["/v1/cluster"] != nil)

                let (anonymous, anonymousBody, headers) = try await Self.get(port, "/v1/cluster")
                #expect(anonymous == 401 && Self.errorCode(anonymousBody) == "unauthenticated")
                #expect(headers.keys.contains { ($0 as? String)?.lowercased() == "www-authenticate" })
                #expect(try await Self.get(port, "/v1/cluster", token: "not-a-token").0 == 401)
                #expect(try await Self.get(port, "/v1/cluster", token: Self.laterToken).0 == 401)

                try await Self.eventually("a leader is elected") {
                    let (status, body, _) = try await Self.get(port, "/v1/cluster", token: Self.adminToken)
                    return status == 200 && (body?["leader"] as? [String: Any])?["replicaID"] as? String == "api-1"
                }
                let (missing, missingBody, _) = try await Self.get(port, "/v1/no-such-thing", token: Self.adminToken)
                #expect(missing == 404 && Self.errorCode(missingBody) == "notFound")
                #expect(try await Self.get(port, "/v1/no-such-thing").0 == 401, "an anonymous caller learns no path")

                // A token added to the file is accepted without a restart; a malformed
                // change is refused and the last good tokens stay in force.
                try Self.tokenFile([("platform-admins", Self.adminToken, "admin"), ("later", Self.laterToken, "admin")])
                    .write(toFile: file, atomically: true, encoding: .utf8)
                try await Self.eventually("the new token works") { try await Self.get(port, "/v1/cluster", token: Self.laterToken).0 == 200 }
                try "tokens: [{name: x}]".write(toFile: file, atomically: true, encoding: .utf8)
                try await Task.sleep(for: .seconds(3))
                #expect(try await Self.get(port, "/v1/cluster", token: Self.laterToken).0 == 200)
            }
        }
    }

    @Test("without a token file every /v1 request is refused with 401; a malformed one refuses the start naming entry and field")
    func misconfigured() async throws {
        try await withEtcd { cluster in
            try await Self.withOperator(cluster, []) { port, _ in
                try await Self.eventually("the HTTP server answers") { try await Self.get(port, "/v1/openapi.json").0 == 200 }
                let (status, body, _) = try await Self.get(port, "/v1/cluster", token: Self.adminToken)
                #expect(status == 401 && ((body?["error"] as? [String: Any])?["message"] as? String)?.contains("api-tokens-file") == true)
            }
            let file = cluster.rootDirectory + "/bad-tokens.yaml"
            try "tokens:\n  - {name: a, sha256: abc, role: owner}\n".write(toFile: file, atomically: true, encoding: .utf8)
            try await Self.withOperator(cluster, ["--api-tokens-file", file]) { _, process in
                let exit = try await process.waitForExit(timeout: .seconds(10))
                #expect(exit == .exited(code: 2), "\(exit)")
                let log = process.tail(lines: 20)
                #expect(log.contains("tokens[0].sha256") && log.contains("tokens[0].role"), "\(log)")
            }
            try await Self.withOperator(cluster, ["--api-tokens-file", cluster.rootDirectory + "/missing.yaml"]) { _, process in
                _ = try await process.waitForExit(timeout: .seconds(10))
                #expect(process.tail(lines: 20).contains("api-tokens-file"))
            }
        }
    }
}
