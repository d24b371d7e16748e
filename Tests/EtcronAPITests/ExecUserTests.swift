@testable import EtcronAPI
import EtcdTestHarness
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `exec-user`: an operator running as root starts exec targets as an unprivileged user,
/// which cannot read the replica's credentials (the API token file, mode 0600) while it
/// reads what every user may; a bad setting refuses the start, naming it.
@Suite("exec targets as an unprivileged user", .serialized, .enabled(if: geteuid() == 0, "switching users needs root"))
struct ExecUserTests {
    @Test("an exec job run as nobody cannot read the token file, but reads a world-readable file")
    func cannotReadCredentials() async throws {
        try await withEtcd { cluster in
            let root = cluster.rootDirectory
            chmod(root, 0o755)  // traversable: only the files' own modes decide
            let tokens = root + "/tokens.yaml"
            try APIServerTests.tokenFile([("root", "admin-secret", "admin")]).write(toFile: tokens, atomically: true, encoding: .utf8)
            chmod(tokens, 0o600)
            let control = root + "/public.txt"
            try "public-content\n".write(toFile: control, atomically: true, encoding: .utf8)
            chmod(control, 0o644)
            try await APIServerTests.withOperator(cluster, ["--api-tokens-file", tokens, "--exec-user", "nobody"]) { port, process in
                try await APIServerTests.eventually("the HTTP server answers") { try await APIServerTests.get(port, "/v1/openapi.json").0 == 200 }
                let job = #"{"name": "peek", "schedule": "0 0 1 1 *", "target": {"exec": {"command": "/bin/sh", "args": ["-c", "id -u; cat \#(control); cat \#(tokens)"]}}}"#
                let created = try await APIJobsTests.call(port, "POST", "/v1/tenants/ops/jobs", token: "admin-secret", body: job)
                #expect(created.status == 201)
                let trigger = try await APIJobsTests.call(port, "POST", "/v1/tenants/ops/jobs/peek/trigger", token: "admin-secret")
                let runID = try #require(trigger.json["runID"] as? String)
                var output = ""
                try await APIServerTests.eventually("the run ends", within: 20) {
                    let run = try await APIJobsTests.call(port, "GET", "/v1/tenants/ops/jobs/peek/runs/\(runID)", token: "admin-secret")
                    output = run.json["output"] as? String ?? ""
                    return run.json["finishedAt"] != nil
                }
                let lines = output.split(separator: "\n").map(String.init)
                #expect(lines.first == String(getpwnam("nobody")!.pointee.pw_uid), "\(output)")
                #expect(output.contains("public-content"), "\(output)")
                #expect(output.contains("Permission denied") && !output.contains("sha256"), "\(output)")
                #expect(process.tail(lines: 50).contains("exec targets run as nobody"))
            }
        }
    }

    @Test("exec-user root, or a user that does not exist, refuses the start naming exec-user")
    func badSetting() async throws {
        try await withEtcd { cluster in
            for user in ["root", "no-such-user-here"] {
                try await APIServerTests.withOperator(cluster, ["--exec-user", user]) { _, process in
                    let exit = try await process.waitForExit(timeout: .seconds(10))
                    #expect(exit == .exited(code: 2), "\(user): \(exit)")
                    #expect(process.tail(lines: 20).contains("exec-user"), "\(user)")
                }
            }
        }
    }
}
