import Foundation

/// Finds the `etcron` executable the benchmark runs as replicas: `--etcron PATH`, else
/// `ETCRON_BINARY`, else `etcron` in the directory of this executable (`/proc/self/exe`),
/// which is where `swift build -c release --product etcron` puts it.
enum FailoverBinary {
    /// The environment variable naming the executable.
    static let environmentVariable = "ETCRON_BINARY"

    /// The absolute path of an executable `etcron`, or an error saying how to get one.
    static func locate(option: String?) throws -> String {
        if let option {
            return try require(option, origin: "--etcron")
        }
        if let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty {
            return try require(path, origin: environmentVariable)
        }
        let candidate = ownDirectory().appendingPathComponent("etcron").path
        guard isExecutableFile(candidate) else {
            throw FailoverError("""
                the etcron executable was not found at \(candidate); \
                run `swift build -c release --product etcron` first \
                (or pass --etcron PATH, or set \(environmentVariable))
                """)
        }
        return candidate
    }

    private static func require(_ path: String, origin: String) throws -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard isExecutableFile(absolute) else {
            throw FailoverError("""
                \(origin) names \(path), which is not an executable file; \
                run `swift build -c release --product etcron` first
                """)
        }
        return absolute
    }

    /// The directory of the running executable (through `/proc/self/exe` on Linux, else
    /// the resolved `argv[0]`).
    private static func ownDirectory() -> URL {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: target).deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            && !isDirectory.boolValue && FileManager.default.isExecutableFile(atPath: path)
    }
}
