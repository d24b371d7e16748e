import EtcdTestHarness
import Foundation

/// The audit of a repetition's window: `etcron audit` itself, run as its own process
/// against the sandbox's etcd (the same check an SRE runs against production).
enum GamedayAudit {
    struct Outcome {
        var clean: Bool
        var invokes: Int
        var violations: [String: Int]
    }

    static func run(sandbox: GamedaySandbox, from: Int64, to: Int64) async throws -> Outcome {
        let arguments = [
            "audit", "--etcd-endpoints", sandbox.cluster.clientEndpoints.joined(separator: ","), "--tenant", GamedaySandbox.tenant,
            "--from", String(from), "--to", String(to), "-o", "json",
        ]
        let (status, output) = try await command(sandbox.executable, arguments)
        guard let data = output.data(using: .utf8),
            let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw GamedayFailure("etcron audit failed (exit \(status)): \(output.prefix(500))")
        }
        let violations = (report["violations"] as? [String: Int] ?? [:]).filter { $0.value > 0 }
        return Outcome(clean: status == 0 && report["clean"] as? Bool == true, invokes: report["invokes"] as? Int ?? 0, violations: violations)
    }

    /// Runs a program to its end on a thread of its own; its status and standard output.
    private static func command(_ path: String, _ arguments: [String]) async throws -> (Int32, String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: path)
                    process.arguments = arguments
                    let out = Pipe()
                    process.standardOutput = out
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    let data = out.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
