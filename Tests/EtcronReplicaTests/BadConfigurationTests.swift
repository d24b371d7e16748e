import EtcdTestHarness
import Foundation
import Testing

extension ReplicaProcessSuites {
    @Suite("bad configuration")
    struct BadConfigurationTests {
        @Test("bad settings exit with status 2 and a message naming the setting", arguments: [
            (["--etcd-endpoints", ""], "etcd-endpoints"),
            (["--etcd-endpoints", "127.0.0.1:notaport"], "etcd-endpoints"),
            (["--etcd-endpoints", "127.0.0.1:2379", "--etcd-ca-file", "/nonexistent/ca.pem"], "etcd-ca-file"),
            (["--etcd-endpoints", "127.0.0.1:2379", "--lease-ttl", "0"], "lease-ttl"),
            (["--etcd-endpoints", "127.0.0.1:2379", "--no-such-flag"], "--no-such-flag"),
        ])
        func refused(arguments: [String], setting: String) async throws {
            let output = try await runEtcron(["operator"] + arguments)
            #expect(output.status == 2, "exit \(output.status): \(output.stderr)")
            #expect(output.stderr.contains(setting), "\(output.stderr)")
        }

        @Test("a wrong etcd password exits with status 2 naming the credentials")
        func wrongPassword() async throws {
            try await withEtcd(members: 1, auth: .testUser) { cluster in
                let output = try await runEtcron(
                    ["operator", "--etcd-endpoints", cluster.clientEndpoints[0], "--etcd-username", "etcron",
                     "--http-listen", "127.0.0.1:0"],
                    environment: ["ETCRON_ETCD_PASSWORD": "wrong"])
                #expect(output.status == 2, "exit \(output.status): \(output.stderr)")
                #expect(output.stderr.contains("etcd-username"), "\(output.stderr)")
                #expect(output.stderr.contains("refused"), "\(output.stderr)")
            }
        }
    }
}
