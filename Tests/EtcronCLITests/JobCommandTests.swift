import EtcdTestHarness
import EtcronTestKit
import Foundation
import Testing

/// The job commands of the built `etcron` binary against a real etcd.
@Suite("Job commands", .serialized)
struct JobCommandTests {
    @Test("apply, get -o yaml round trip, describe, trigger, suspend, runs and delete; bad input exits 2 naming every problem")
    func commands() async throws {
        try await withEtcd { cluster in
            let etcd = ["--etcd-endpoints", cluster.clientEndpoints.joined(separator: ",")]
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcron-jobs-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let longest = JobFixtures.longName(253)
            let good = directory.appendingPathComponent("jobs.yaml").path
            try """
                tenant: payments
                name: settle
                schedule: "H 2 * * *"
                timeZone: Europe/Berlin
                concurrencyPolicy: Forbid
                startingDeadlineSeconds: 300
                retry: {maxRetries: 3, initialBackoffMs: 1000}
                target: {exec: {command: /bin/true, args: [--all], env: {PORT: "8080"}}}
                ---
                - tenant: payments
                  name: \(longest)
                  schedule: "@every 90s"
                  target: {http: {method: POST, url: "https://example.com/hook"}}
                """.write(toFile: good, atomically: true, encoding: .utf8)

            let applied = try await JobCLI.run(["apply", "-f", good] + etcd)
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(applied.stdout == "payments/settle created\npayments/\(longest) created\n")

            let list = try await JobCLI.run(["get", "payments"] + etcd)
            #expect(list.stdout.hasPrefix("TENANT"))
            #expect(list.stdout.contains(longest), "names are never shortened in tables")
            #expect(list.stdout.contains("exec /bin/true --all"))

            let trigger = try await JobCLI.run(["trigger", "payments/settle", "--note", "by hand"] + etcd)
            #expect(trigger.status == 0 && trigger.stdout.hasPrefix("payments/settle triggered (run m-"), "\(trigger.stderr)")
            #expect(try await JobCLI.run(["suspend", "payments/settle"] + etcd).stdout == "payments/settle suspended\n")
            // get -o yaml|json prints manifests that apply back unchanged (integers, booleans and all).
            let yaml = try await JobCLI.run(["get", "payments/settle", "-o", "yaml"] + etcd)
            #expect(yaml.status == 0, "\(yaml.stderr)")
            #expect(yaml.stdout.contains("suspend: true") && yaml.stdout.contains("startingDeadlineSeconds: 300"), "\(yaml.stdout)")
            for format in ["yaml", "json"] {
                let exported = directory.appendingPathComponent("exported.\(format)").path
                try await JobCLI.run(["get", "payments", "-o", format] + etcd).stdout.write(toFile: exported, atomically: true, encoding: .utf8)
                let reapplied = try await JobCLI.run(["apply", "-f", exported] + etcd)
                #expect(reapplied.stdout == "payments/\(longest) unchanged\npayments/settle unchanged\n", "\(format): \(reapplied.stderr)")
            }
            let described = try await JobCLI.run(["describe", "payments/settle"] + etcd)
            #expect(described.stdout.contains("Suspended:         true"), "\(described.stdout)")
            #expect(described.stdout.contains("Pending triggers:  1"))
            let runs = try await JobCLI.run(["runs", "payments/settle", "-o", "json"] + etcd)
            #expect(runs.status == 0, "\(runs.stderr)")
            #expect((try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [Any])?.isEmpty == true, "\(runs.stdout)")

            let bad = directory.appendingPathComponent("bad.yaml").path
            try """
                - tenant: payments
                  name: Bad_Name
                  schedule: "0 0 * * 8"
                  target: {http: {url: "ftp://x"}}
                - tenant: payments
                  name: fine
                  schedule: "@daily"
                  timeZone: Europe/Berln
                  target: {exec: {command: /bin/true}}
                """.write(toFile: bad, atomically: true, encoding: .utf8)
            let refused = try await JobCLI.run(["apply", "-f", bad] + etcd)
            #expect(refused.status == 2)
            #expect(refused.stdout.isEmpty)
            for problem in [
                #"jobs[0].name: "Bad_Name" is not a DNS subdomain"#,
                #"jobs[0].schedule: day-of-week: "8" is out of range 0-7"#,
                "jobs[0].target.http.url: must be an absolute http or https URL",
                #"jobs[1].timeZone: unknown time zone "Europe/Berln""#,
            ] {
                #expect(refused.stderr.contains(problem), "\(refused.stderr)")
            }
            let typo = try await JobCLI.run(["apply", "-f", "-", "--etcd-endpoints", "127.0.0.1:1"], stdin: "tenant: a\nname: b\nschedul: x\n")
            #expect(typo.status == 2)
            #expect(typo.stderr.contains(#"jobs[0].schedul: unknown key "schedul" (did you mean "schedule"?) (document 1, line 3)"#), "\(typo.stderr)")
            let badArgument = try await JobCLI.run(["delete", "payments"] + etcd)
            #expect(badArgument.status == 2)
            #expect(badArgument.stderr.contains(#"TENANT/NAME: "payments" must be TENANT/NAME"#), "\(badArgument.stderr)")

            #expect(try await JobCLI.run(["delete", "payments/settle"] + etcd).stdout == "payments/settle deleted\n")
            let missing = try await JobCLI.run(["get", "payments/settle"] + etcd)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("job payments/settle not found"))
        }
    }
}

/// Runs the `etcron` binary built next to the tests .
enum JobCLI {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `etcron arguments` with `stdin` as its input and `environment` added to the
    /// test's; `limit` seconds at most (20 by default).
    static func run(_ arguments: [String], stdin: String = "", environment: [String: String] = [:], limit: Int = 20) async throws -> Output {
        let binary = try EtcronExecutable.locate()
        // On a thread of its own: a blocking wait on one of the test process's few
        // cooperative threads (every suite shares them) would stall the other suites.
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: binary)
                    process.arguments = arguments
                    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
                    let input = Pipe()
                    let out = Pipe()
                    let err = Pipe()
                    process.standardInput = input
                    process.standardOutput = out
                    process.standardError = err
                    try process.run()
                    input.fileHandleForWriting.write(Data(stdin.utf8))
                    try input.fileHandleForWriting.close()
                    let timer = DispatchWorkItem { process.terminate() }
                    DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(limit), execute: timer)
                    let stdout = out.fileHandleForReading.readDataToEndOfFile()
                    let stderr = err.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    timer.cancel()
                    continuation.resume(returning: Output(
                        status: process.terminationStatus,
                        stdout: String(decoding: stdout, as: UTF8.self),
                        stderr: String(decoding: stderr, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
