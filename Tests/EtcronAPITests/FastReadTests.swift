@testable import EtcronAPI
import EtcdClient
import EtcdTestHarness
import EtcronCore
import Foundation
import Hummingbird
import Logging
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `FastReadMiddleware` answers `GET /v1/jobs` and `GET /v1/tenants/T/jobs/N` exactly as the
/// generated server does: two in-process servers over the same etcd and token file, one
/// with the fast reads and one without, asked the same questions over real HTTP, give the
/// same status, headers and bytes, for pages, continue tokens, label selectors, one job,
/// other tenants, bad parameters, unacceptable `Accept` headers and missing tokens.
@Suite("Fast reads", .serialized)
struct FastReadTests {
    struct Reply: Equatable {
        var status: Int
        var body: String
        var contentType: String?
        var eTag: String?
        var contentLength: String?
    }

    static func get(_ port: Int, _ path: String, token: String?, accept: String? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return Reply(
            status: http.statusCode, body: String(decoding: data, as: UTF8.self), contentType: http.value(forHTTPHeaderField: "Content-Type"),
            eTag: http.value(forHTTPHeaderField: "ETag"), contentLength: http.value(forHTTPHeaderField: "Content-Length"))
    }

    static func post(_ port: Int, _ path: String, token: String, body: String) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        return try #require(response as? HTTPURLResponse).statusCode
    }

    /// Runs `body` with the ports of a fast and a generated server over one etcd.
    static func withServers(_ body: (_ fast: Int, _ generated: Int) async throws -> Void) async throws {
        try await withEtcd { cluster in
            let file = cluster.rootDirectory + "/tokens.yaml"
            try """
                tokens:
                  - {name: root, sha256: \(APITokenBook.sha256Hex(of: "admin-secret")), role: admin}
                  - {name: team-a, sha256: \(APITokenBook.sha256Hex(of: "editor-a")), role: editor, tenants: [a]}
                  - {name: view-b, sha256: \(APITokenBook.sha256Hex(of: "viewer-b")), role: viewer, tenants: [b]}

                """.write(toFile: file, atomically: true, encoding: .utf8)
            let logger = Logger(label: "fast-read-test")
            let tokens = try APITokenStore(path: file, logger: logger)
            let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
            defer { Task { await client.close() } }
            let limits = APIRoutes.Limits(requestsPerSecond: 0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                var ports: [Int] = []
                for fast in [true, false] {
                    let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
                    let router = Router()
                    APIRoutes(tokens: tokens, client: client, keys: ReplicaKeys(prefix: "/etcron/"), limits: limits, fastReads: fast, logger: logger)
                        .addRoutes(to: router)
                    // Cancelled at the end, the server logs its open connections' cancellation as errors.
                    var quiet = logger
                    quiet.logLevel = .critical
                    let application = Application(
                        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
                    group.addTask { try await application.run() }
                    var iterator = stream.makeAsyncIterator()
                    ports.append(try #require(await iterator.next()))
                }
                try await body(ports[0], ports[1])
                group.cancelAll()
            }
        }
    }

    @Test("pages, continue tokens, selectors, one job and refusals: the same answers with and without the fast reads")
    func sameAnswers() async throws {
        try await Self.withServers { fast, generated in
            let jobs = [
                #"{"name": "full", "schedule": "0 3 * * *", "timeZone": "Europe/Berlin", "concurrencyPolicy": "Forbid", "startingDeadlineSeconds": 60, "retry": {"maxRetries": 2, "initialBackoffMs": 100, "maxBackoffMs": 1000}, "attemptTimeoutSeconds": 30, "history": {"succeeded": 4, "failed": 1}, "labels": {"team": "db", "Tier": "1", "a10": "x", "a9": "y"}, "description": "quote \" slash / tab \t é 😀", "owner": "db@example.com", "target": {"http": {"method": "POST", "url": "https://example.com/x?y=/z", "headers": {"X-A": "1", "accept": "text/plain"}, "body": "{}", "expectedStatus": [200, 204]}}}"#,
                #"{"name": "exec", "schedule": "@every 90s", "labels": {"team": "web"}, "target": {"exec": {"command": "/bin/echo", "args": ["a b", ""], "env": {"B": "2", "A": "1"}, "workingDirectory": "/tmp"}}}"#,
            ] + (0..<5).map { #"{"name": "plain-\#($0)", "schedule": "*/5 * * * *", "suspend": true, "target": {"http": {"url": "http://example.com/\#($0)"}}}"# }
            for job in jobs {
                #expect(try await Self.post(fast, "/v1/tenants/a/jobs", token: "admin-secret", body: job) == 201)
            }
            #expect(try await Self.post(fast, "/v1/tenants/b/jobs", token: "admin-secret", body: jobs[1]) == 201)

            var asked: [(String, String?, String?)] = [
                ("/v1/jobs", "admin-secret", nil),
                ("/v1/jobs?tenant=a", "editor-a", nil),
                ("/v1/jobs?limit=3", "admin-secret", nil),
                ("/v1/jobs?tenant=a&labelSelector=team%3Ddb", "admin-secret", nil),
                ("/v1/jobs?labelSelector=team%20in%20(db,web)", "admin-secret", nil),
                ("/v1/jobs", "viewer-b", nil),
                ("/v1/jobs?tenant=b", "editor-a", nil),
                ("/v1/jobs?limit=abc", "admin-secret", nil),
                ("/v1/jobs?limit=0", "admin-secret", nil),
                ("/v1/jobs?limit=5000", "admin-secret", nil),
                ("/v1/jobs?continue=bogus", "admin-secret", nil),
                ("/v1/jobs?labelSelector=team%3D%3D%3D", "admin-secret", nil),
                ("/v1/jobs", "admin-secret", "text/plain"),
                ("/v1/jobs", "admin-secret", "application/*"),
                ("/v1/jobs", nil, nil),
                ("/v1/jobs", "wrong-token", nil),
                ("/v1/tenants/a/jobs/full", "admin-secret", nil),
                ("/v1/tenants/a/jobs/exec", "editor-a", nil),
                ("/v1/tenants/b/jobs/exec", "viewer-b", nil),
                ("/v1/tenants/b/jobs/exec", "editor-a", nil),
                ("/v1/tenants/a/jobs/absent", "admin-secret", nil),
                ("/v1/tenants/a/jobs/Not_A_Name", "admin-secret", nil),
                ("/v1/tenants/a/jobs/full", "admin-secret", "text/html"),
                ("/v1/tenants/a/jobs/full", nil, nil),
            ]
            // Follow the continue tokens of a page of 3 to the end.
            var path = "/v1/jobs?limit=3"
            while true {
                let page = try await Self.get(generated, path, token: "admin-secret")
                let object = try #require(try JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [String: Any])
                guard let next = object["continue"] as? String else { break }
                path = "/v1/jobs?limit=3&continue=\(next)"
                asked.append((path, "admin-secret", nil))
            }
            #expect(asked.count > 25)
            for (path, token, accept) in asked {
                let fromFast = try await Self.get(fast, path, token: token, accept: accept)
                let fromGenerated = try await Self.get(generated, path, token: token, accept: accept)
                let asking = "\(path) as \(token ?? "nobody") accepting \(accept ?? "anything")"
                if fromGenerated.status == 200 {
                    #expect(fromFast == fromGenerated, "\(asking)")
                } else {
                    // Errors are not the fast path's: the same error, members in any order.
                    #expect(fromFast.status == fromGenerated.status, "\(asking)")
                    let (fast, generated) = (try JSONSerialization.jsonObject(with: Data(fromFast.body.utf8)), try JSONSerialization.jsonObject(with: Data(fromGenerated.body.utf8)))
                    #expect((fast as? NSDictionary) == (generated as? NSDictionary), "\(asking)")
                }
            }
            let page = try await Self.get(fast, "/v1/jobs?tenant=a", token: "admin-secret")
            #expect(page.status == 200 && page.body.contains(#""name":"full""#) && page.body.contains(#""name":"plain-4""#))
            let one = try await Self.get(fast, "/v1/tenants/a/jobs/full", token: "admin-secret")
            #expect(one.status == 200 && one.eTag?.hasPrefix("\"") == true && one.body.contains(#""status":{"#))
        }
    }
}
