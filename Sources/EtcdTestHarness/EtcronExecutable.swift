import Foundation

/// Finds the `etcron` executable that tests run as real processes.
public enum EtcronExecutable {
    /// `ETCRON_BINARY` if set, else `etcron` in the directory of the running test bundle or
    /// up to three levels above it (where `swift build` puts it).
    /// - Throws: `HarnessError.executableNotFound` saying how to build it.
    public static func locate() throws -> String {
        if let path = ProcessInfo.processInfo.environment["ETCRON_BINARY"], !path.isEmpty { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("etcron").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw HarnessError(.executableNotFound, "the etcron executable was not found next to the tests; run `swift build` first or set ETCRON_BINARY")
    }
}
