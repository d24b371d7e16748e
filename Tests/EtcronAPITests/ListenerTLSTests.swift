import EtcdTestHarness
import Foundation
import Testing

/// The replica's listener over TLS (`http-tls-cert-file`, `http-tls-key-file`): it serves
/// HTTPS with the certificate, picks up a rotated one without a restart, keeps the last
/// good one when the files turn bad, and refuses to start with a key that is not the
/// certificate's, naming the setting.
@Suite("listener TLS", .serialized)
struct ListenerTLSTests {
    /// Writes a self-signed certificate for 127.0.0.1 with common name `name`.
    static func certificate(_ name: String, into directory: String, certificate: String = "tls.crt", key: String = "tls.key") async throws {
        let result = try await Self.command("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=\(name)",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/" + key, "-out", directory + "/" + certificate,
        ])
        #expect(result.status == 0, "\(result.output)")
    }

    /// The common name of the certificate the server at `port` presents, and whether a
    /// client trusting `ca` completes a request to `/healthz`.
    static func served(_ port: Int, trusting ca: String) async throws -> (name: String, ok: Bool) {
        let result = try await command("/usr/bin/curl", ["-sS", "-v", "--cacert", ca, "https://127.0.0.1:\(port)/healthz"])
        let subject = result.output.split(separator: "\n").first { $0.contains("subject:") }.map(String.init) ?? ""
        let name = subject.components(separatedBy: "CN=").last?.trimmingCharacters(in: .whitespaces) ?? ""
        return (name, result.status == 0)
    }

    /// Runs a program to its end on a thread of its own (never one of the test process's
    /// few cooperative threads, which every suite shares).
    static func command(_ path: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: path)
                    process.arguments = arguments
                    let pipe = Pipe()
                    process.standardOutput = pipe
                    process.standardError = pipe
                    try process.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    @Test("HTTPS with the certificate; a rotated certificate is served without a restart; bad files keep the last good one")
    func servesAndReloads() async throws {
        try await withEtcd { cluster in
            let directory = cluster.rootDirectory
            try await Self.certificate("first", into: directory)
            let flags = ["--http-tls-cert-file", directory + "/tls.crt", "--http-tls-key-file", directory + "/tls.key"]
            try await APIServerTests.withOperator(cluster, flags) { port, _ in
                try await APIServerTests.eventually("the HTTPS server answers") { try await Self.served(port, trusting: directory + "/tls.crt").ok }
                #expect(try await Self.served(port, trusting: directory + "/tls.crt").name == "first")
                let plain = try await Self.command("/usr/bin/curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/healthz"])
                #expect(plain.output != "200", "plain HTTP is not served: \(plain.output)")

                // Rotation: new files in place (a Secret update), picked up within seconds.
                try await Self.certificate("second", into: directory, certificate: "next.crt", key: "next.key")
                try FileManager.default.removeItem(atPath: directory + "/tls.key")
                try FileManager.default.moveItem(atPath: directory + "/next.key", toPath: directory + "/tls.key")
                try FileManager.default.removeItem(atPath: directory + "/tls.crt")
                try FileManager.default.moveItem(atPath: directory + "/next.crt", toPath: directory + "/tls.crt")
                try await APIServerTests.eventually("the rotated certificate is served", within: 10) {
                    try await Self.served(port, trusting: directory + "/tls.crt").name == "second"
                }
                // Bad files: the last good certificate stays in force.
                try "not a certificate".write(toFile: directory + "/tls.crt", atomically: true, encoding: .utf8)
                try await Task.sleep(for: .seconds(3))
                let kept = try await Self.command("/usr/bin/curl", ["-sS", "-v", "-k", "https://127.0.0.1:\(port)/healthz"])
                #expect(kept.status == 0 && kept.output.contains("CN=second"), "\(kept.output)")
            }
        }
    }

    @Test("a key that is not the certificate's, or one setting without the other, refuses the start naming the setting")
    func badPairs() async throws {
        try await withEtcd { cluster in
            let directory = cluster.rootDirectory
            try await Self.certificate("a", into: directory, certificate: "a.crt", key: "a.key")
            try await Self.certificate("b", into: directory, certificate: "b.crt", key: "b.key")
            for (flags, setting) in [
                (["--http-tls-cert-file", directory + "/a.crt", "--http-tls-key-file", directory + "/b.key"], "http-tls-key-file"),
                (["--http-tls-cert-file", directory + "/a.crt"], "http-tls-key-file"),
                (["--http-tls-cert-file", directory + "/missing.crt", "--http-tls-key-file", directory + "/a.key"], "http-tls-cert-file"),
            ] {
                try await APIServerTests.withOperator(cluster, flags) { _, process in
                    let exit = try await process.waitForExit(timeout: .seconds(10))
                    #expect(exit == .exited(code: 2), "\(flags): \(exit)")
                    #expect(process.tail(lines: 20).contains(setting), "\(flags): \(process.tail(lines: 20))")
                }
            }
        }
    }
}
