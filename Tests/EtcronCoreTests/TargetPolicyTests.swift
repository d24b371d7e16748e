import EtcronCore
import EtcronProto
import Testing

/// Networks in CIDR notation and the target policy rules, without etcd.
@Suite("target policies")
struct TargetPolicyTests {
    func job(_ configure: (inout Etcron_V1_JobSpec) -> Void) -> Etcron_V1_JobSpec {
        var spec = Etcron_V1_JobSpec()
        spec.tenant = "a"
        spec.name = "j"
        configure(&spec)
        return spec
    }

    @Test("networks: v4 and v6, host bits ignored, v4-mapped v6 addresses checked as v4, bad text refused")
    func networks() throws {
        let private10 = try #require(IPNetwork("10.1.2.3/8"))
        #expect(private10.description == "10.0.0.0/8")
        #expect(private10.contains(IPNetwork.address("10.200.0.1")!))
        #expect(!private10.contains(IPNetwork.address("11.0.0.1")!))
        #expect(private10.contains(IPNetwork.address("::ffff:10.9.9.9")!), "a v6 spelling of a v4 address")
        let ula = try #require(IPNetwork("fd00::/8"))
        #expect(ula.contains(IPNetwork.address("[fd12::1]")!) && !ula.contains(IPNetwork.address("fe80::1")!))
        #expect(IPNetwork("0.0.0.0/0")?.contains(IPNetwork.address("8.8.8.8")!) == true)
        for bad in ["10.0.0.0", "10.0.0.0/33", "fd00::/129", "host/8", "10.0.0.0/-1", "/8", "10.0.0.0/8/8"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
        #expect(IPNetwork.address("example.com") == nil)
    }

    @Test("the built-in policy: no exec; http anywhere but loopback and link-local (cloud metadata)")
    func builtIn() {
        let policy = Etcron_V1_TargetPolicy.builtIn
        #expect(policy.refusal(of: job { $0.target.exec.command = "/bin/true" })?.field == "target.exec")
        #expect(policy.refusal(of: job { $0.target.http.url = "https://billing.example.com/run" }) == nil, "names are checked on connect")
        #expect(policy.refusal(of: job { $0.target.http.url = "http://10.0.0.5/run" }) == nil)
        for url in ["http://169.254.169.254/latest/meta-data", "http://127.0.0.1:2379/v3/kv/range", "http://[::1]:8080/", "http://[::ffff:127.0.0.1]/"] {
            #expect(policy.refusal(of: job { $0.target.http.url = url })?.field == "target.http.url", "\(url)")
        }
    }

    @Test("a policy's exec commands, http switch and allowed networks; its own problems are named")
    func rules() {
        var policy = Etcron_V1_TargetPolicy()
        policy.exec.allowed = true
        policy.exec.commands = ["/usr/local/bin/settle"]
        policy.http.allowed = true
        policy.http.allowedNetworks = ["10.0.0.0/8"]
        #expect(policy.refusal(of: job { $0.target.exec.command = "/usr/local/bin/settle" }) == nil)
        #expect(policy.refusal(of: job { $0.target.exec.command = "settle" })?.field == "target.exec.command")
        #expect(policy.refusal(of: job { $0.target.http.url = "http://10.1.1.1/" }) == nil)
        #expect(policy.refusal(of: job { $0.target.http.url = "http://192.168.1.1/" })?.reason.contains("outside") == true)
        policy.http.allowed = false
        #expect(policy.refusal(of: job { $0.target.http.url = "http://10.1.1.1/" })?.field == "target.http")

        var bad = Etcron_V1_TargetPolicy()
        bad.http.deniedNetworks = ["10.0.0.0/8", "nonsense"]
        bad.exec.commands = ["relative"]
        #expect(bad.problems.map(\.field) == ["http.deniedNetworks[1]", "exec.commands[0]"])
    }
}
