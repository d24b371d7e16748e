import Crypto
import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import Foundation
import Testing

/// The client verbs of the built `etcron` binary speaking a live replica's `/v1` API with
/// tokens, never etcd: `login`, `apply`, `get`, `describe` (who wrote it), `suspend`
/// with a note, `trigger --wait`, `runs`, `status`, the tenant rules, and `completion`.
@Suite("CLI over the API", .serialized)
struct APICommandTests {
    static func sha256(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    @Test("login saves server and token (0600); the verbs then work through the API with the token's tenant and role")
    func verbs() async throws {
        try await withEtcd { cluster in
            let root = cluster.rootDirectory
            try """
                tokens:
                  - {name: team-a, sha256: \(Self.sha256("editor-a")), role: editor, tenants: [a]}
                  - {name: view-a, sha256: \(Self.sha256("viewer-a")), role: viewer, tenants: [a]}
                """.write(toFile: root + "/tokens.yaml", atomically: true, encoding: .utf8)
            let port = try LoopbackPorts.allocate()
            let replica = try await ManagedProcess.start(
                try EtcronExecutable.locate(),
                arguments: ["operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","), "--replica-id", "cli-1",
                    "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", "2", "--api-tokens-file", root + "/tokens.yaml"],
                logFile: root + "/cli-1.log")
            defer { Task { await replica.kill() } }
            let server = "http://127.0.0.1:\(port)"
            // An administrator lets the tenants' editors run exec targets (straight in etcd).
            let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
            var policy = Etcron_V1_TargetPolicy()
            policy.exec.allowed = true
            policy.http.allowed = true
            _ = try await JobStore(client: client, keys: JobKeys(ReplicaKeys(prefix: "/etcron/"))).setTargetPolicy(.default, policy)
            await client.close()
            let home = ["XDG_CONFIG_HOME": root + "/config", "ETCRON_SERVER": "", "ETCRON_TOKEN": "", "ETCRON_ETCD_ENDPOINTS": ""]
            try "editor-a\n".write(toFile: root + "/token", atomically: true, encoding: .utf8)

            var login = try await JobCLI.run(["login", "--server", server, "--token-file", root + "/token"], environment: home)
            for _ in 0..<50 where login.status != 0 {
                try await Task.sleep(for: .milliseconds(100))  // the replica is starting
                login = try await JobCLI.run(["login", "--server", server, "--token-file", root + "/token"], environment: home)
            }
            #expect(login.status == 0, "\(login.stderr)")
            let saved = try FileManager.default.attributesOfItem(atPath: root + "/config/etcron/client.yaml")
            #expect((saved[.posixPermissions] as? NSNumber)?.intValue == 0o600)

            try """
                - {tenant: a, name: ok, schedule: "0 0 1 1 *", target: {exec: {command: /bin/true}}}
                - {tenant: a, name: fails, schedule: "0 0 1 1 *", target: {exec: {command: /bin/sh, args: [-c, "echo broken; exit 4"]}}}
                """.write(toFile: root + "/jobs.yaml", atomically: true, encoding: .utf8)
            let applied = try await JobCLI.run(["apply", "-f", root + "/jobs.yaml"], environment: home)
            #expect(applied.stdout == "a/ok created\na/fails created\n", "\(applied.stderr)")
            #expect(try await JobCLI.run(["apply", "-f", root + "/jobs.yaml"], environment: home).stdout == "a/ok unchanged\na/fails unchanged\n")
            #expect(try await JobCLI.run(["get"], environment: home).stdout.contains("fails"))

            #expect(try await JobCLI.run(["suspend", "a/ok", "--note", "maintenance"], environment: home).stdout == "a/ok suspended\n")
            let described = try await JobCLI.run(["describe", "a/ok"], environment: home)
            #expect(described.stdout.contains("by team-a") && described.stdout.contains("maintenance"), "\(described.stdout)")
            #expect(try await JobCLI.run(["resume", "a/ok"], environment: home).status == 0)

            let succeeded = try await JobCLI.run(["trigger", "a/ok", "--wait", "--note", "check"], environment: home)
            #expect(succeeded.status == 0 && succeeded.stdout.contains("succeeded"), "\(succeeded.stdout)\(succeeded.stderr)")
            let failed = try await JobCLI.run(["trigger", "a/fails", "--wait"], environment: home)
            #expect(failed.status == 1 && failed.stdout.contains("failed") && failed.stderr.contains("broken"), "\(failed.stdout)\(failed.stderr)")
            #expect(try await JobCLI.run(["runs", "a/fails"], environment: home).stdout.contains("exit 4"))
            #expect(try await JobCLI.run(["status"], environment: home).stdout.contains("cli-1"))

            // The token's rules, with the API's messages; nothing written.
            let other = try await JobCLI.run(["get", "b/anything"], environment: home)
            #expect(other.status == 1 && other.stderr.contains("not found"))
            let viewer = try await JobCLI.run(["delete", "a/ok", "--server", server, "--token", "viewer-a"], environment: home)
            #expect(viewer.status == 1 && viewer.stderr.contains("viewer"), "\(viewer.stderr)")
            let anonymous = try await JobCLI.run(["get", "--server", server, "--token", "nope"], environment: home)
            #expect(anonymous.status == 1 && anonymous.stderr.contains("token"))
            #expect(try await JobCLI.run(["get", "a/ok"], environment: home).status == 0, "still there")

            let completion = try await JobCLI.run(["completion", "bash"], environment: home)
            #expect(completion.status == 0 && completion.stdout.contains("_etcron") && completion.stdout.contains("trigger"))
            await replica.kill()
        }
    }
}
