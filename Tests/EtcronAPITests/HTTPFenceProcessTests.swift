import EtcdTestHarness
import Foundation
import Testing

/// A real operator's executor refuses http targets aimed at etcd, at a replica's own
/// listener (by any name) or at the cloud metadata address, even an admin's: each run
/// fails, saying why, and the target never sees a request.
@Suite("HTTP fence of a real replica", .serialized)
struct HTTPFenceProcessTests {
    @Test("http jobs to etcd, to the replica's listener by name, and to 169.254.169.254 fail with the reason")
    func refusedTargets() async throws {
        try await APIJobsTests.withAPICluster { port, cluster in
            let admin = "admin-secret"
            let members = try #require(try await APIJobsTests.call(port, "GET", "/v1/cluster", token: admin).json["members"] as? [[String: Any]])
            #expect(!members.isEmpty)
            let etcd = try #require(cluster.clientEndpoints.first).replacingOccurrences(of: "http://", with: "")
            let targets = [
                ("to-etcd", "http://\(etcd)/version", "etcd or an etcron replica"),
                ("to-replica", "http://localhost:\(port)/healthz", "etcd or an etcron replica"),
                ("to-metadata", "http://169.254.169.254/latest/meta-data", "never connects http targets"),
            ]
            for (name, url, _) in targets {
                let body = #"{"name": "\#(name)", "schedule": "0 0 1 1 *", "target": {"http": {"url": "\#(url)"}}}"#
                #expect(try await APIJobsTests.call(port, "POST", "/v1/tenants/ops/jobs", token: admin, body: body).status == 201)
            }
            for (name, url, reason) in targets {
                let runID = try #require(try await APIJobsTests.call(port, "POST", "/v1/tenants/ops/jobs/\(name)/trigger", token: admin).json["runID"] as? String)
                var run: [String: Any] = [:]
                try await APIServerTests.eventually("\(name) ends", within: 15) {
                    run = try await APIJobsTests.call(port, "GET", "/v1/tenants/ops/jobs/\(name)/runs/\(runID)", token: admin).json
                    return run["finishedAt"] != nil
                }
                #expect(run["state"] as? String == "failed", "\(url): \(run)")
                #expect((run["message"] as? String)?.contains(reason) == true, "\(url): \(run)")
                #expect(run["httpStatus"] == nil, "no request was sent to \(url)")
            }
        }
    }

}
