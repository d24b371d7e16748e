import Foundation

/// Helpers shared by the harness's own tests.
enum TestSupport {
    /// Prints a measurement so it shows in the test run's output. (The test target does
    /// not depend on swift-log itself, so it prints rather than logs.)
    static func report(_ message: String) {
        print("[etcron.harness.tests] \(message)")
    }

    /// A fresh scratch directory; remove it with `removeScratchDirectory`.
    static func makeScratchDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("etcron-harness-tests-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Removes a directory made by `makeScratchDirectory`.
    static func removeScratchDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Whether `pid` names a live (not zombie) process, read from /proc.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// Polls `condition` every 5 ms until it holds or `timeout` passes; returns whether it held.
    static func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    /// Milliseconds of a duration, rounded, for log lines.
    static func ms(_ duration: Duration) -> Int {
        Int((Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15).rounded())
    }
}
