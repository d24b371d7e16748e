import EtcdTestHarness
import EtcronCore
import EtcronProto
import Foundation
import Testing

@testable import EtcronExecutor

/// Where http targets may not connect, against a real HTTP server on loopback: the
/// always-denied networks, etcd's and the replicas' listeners by any name, the operator's
/// networks, a tenant's policy, and redirects to any of them.
@Suite("HTTP fence")
struct HTTPFenceTests {
    func run(_ url: String, fence: HTTPFence, policy: Etcron_V1_TargetPolicy? = nil) async -> RunOutcome {
        var request = RunnerFixtures.request(RunnerFixtures.http(url))
        request.targetPolicy = policy
        return await TargetRunner(request, settings: TargetRunnerSettings(httpFence: fence)).run()
    }

    @Test("link-local (cloud metadata), unspecified and multicast addresses are refused before any request")
    func alwaysDenied() async throws {
        for url in ["http://169.254.169.254/latest/meta-data", "http://[fe80::1]/", "http://0.0.0.0:80/", "http://224.0.0.1/", "http://[::ffff:169.254.169.254]/"] {
            let outcome = await run(url, fence: HTTPFence())
            #expect(outcome.result == .failed && outcome.message.contains("never connects http targets"), "\(url): \(outcome.message)")
            #expect(outcome.httpStatus == nil)
        }
    }

    @Test("etcd's and the replicas' listeners are refused by address or by any name that reaches them; other ports are not")
    func listeners() async throws {
        let base = try await HTTPTestServer.shared.url()
        let port = Int(base.split(separator: ":").last!)!
        let asEtcd = HTTPFence(deniedEndpoints: HTTPFence.endpoints(["http://127.0.0.1:\(port)"]))
        for url in ["\(base)/status/200", "http://localhost:\(port)/status/200"] {
            let outcome = await run(url, fence: asEtcd)
            #expect(outcome.result == .failed && outcome.message.contains("etcd or an etcron replica"), "\(url): \(outcome.message)")
        }
        let asMember = HTTPFence()
        asMember.setMemberEndpoints(HTTPFence.endpoints(["0.0.0.0:\(port)"]))
        #expect(await run("\(base)/status/200", fence: asMember).result == .failed)
        let elsewhere = HTTPFence(deniedEndpoints: HTTPFence.endpoints(["127.0.0.1:1"]))
        #expect(await run("\(base)/status/200", fence: elsewhere).result == .succeeded)
    }

    @Test("a redirect to a refused address is not followed: the attempt fails naming it; an allowed one is followed")
    func redirects() async throws {
        let base = try await HTTPTestServer.shared.url()
        let fence = HTTPFence()
        let metadata = "http://169.254.169.254/latest/meta-data/iam"
        let refused = await run("\(base)/redirect/\(metadata.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", fence: fence)
        #expect(refused.result == .failed && refused.message.contains("redirect refused") && refused.message.contains("169.254"), "\(refused.message)")
        let allowed = await run("\(base)/redirect/\("\(base)/status/204".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", fence: fence)
        #expect(allowed.result == .succeeded && allowed.httpStatus == 204, "\(allowed.message)")
    }

    @Test("a name is sent to the address that was checked, with its own Host header; the operator's and a policy's networks apply")
    func pinningAndNetworks() async throws {
        let base = try await HTTPTestServer.shared.url()
        let port = Int(base.split(separator: ":").last!)!
        let pinned = await run("http://localhost:\(port)/status/200", fence: HTTPFence())
        #expect(pinned.result == .succeeded && RunnerFixtures.text(pinned).contains("host=localhost:\(port)\n"), "\(RunnerFixtures.text(pinned))")
        let loopbackDenied = HTTPFence(deniedNetworks: [IPNetwork("127.0.0.0/8")!, IPNetwork("::1/128")!])
        let operatorRefused = await run("http://localhost:\(port)/status/200", fence: loopbackDenied)
        #expect(operatorRefused.result == .failed && operatorRefused.message.contains("127.0.0.0/8") || operatorRefused.message.contains("::1/128"))
        var policy = Etcron_V1_TargetPolicy.builtIn
        policy.http.deniedNetworks = ["127.0.0.0/8", "::1/128"]
        let policyRefused = await run("http://localhost:\(port)/status/200", fence: HTTPFence(), policy: policy)
        #expect(policyRefused.result == .failed && policyRefused.message.contains("target policy denies"), "\(policyRefused.message)")
        var execOnly = Etcron_V1_TargetPolicy()
        execOnly.http.allowed = false
        let notAllowed = await run("\(base)/status/200", fence: HTTPFence(), policy: execOnly)
        #expect(notAllowed.result == .failed && notAllowed.message.contains("does not allow http targets"))
    }
}
