import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The harness's scratch space: one root per test process, `$TMPDIR/etcron-harness-<pid>`,
/// holding a directory per cluster and per captured command.
///
/// Roots whose process is gone (a run that was SIGKILLed) are removed the first time a
/// later run needs its own root.
enum HarnessDirectory {
    private static let prefix = "etcron-harness-"
    private static let cachedRoot = Mutex<String?>(nil)

    /// The root for this process, created on first use.
    static func root() throws -> String {
        try cachedRoot.withLock { cached in
            if let cached { return cached }
            let temporary = FileManager.default.temporaryDirectory.path
            removeStaleRoots(in: temporary)
            let root = "\(temporary)/\(prefix)\(getpid())"
            try create(root)
            cached = root
            // Clusters remove their own directories; leave no empty root behind either.
            atexit { HarnessDirectory.removeRootIfEmpty() }
            return root
        }
    }

    /// Removes this process's root if nothing is left in it (run at exit).
    static func removeRootIfEmpty() {
        if let root = cachedRoot.withLock({ $0 }) {
            _ = rmdir(root)
        }
    }

    /// Creates and returns a fresh directory `<root>/<name>-<random>`.
    static func makeUnique(_ name: String) throws -> String {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let path = "\(try root())/\(name)-\(suffix)"
        try create(path)
        return path
    }

    /// Creates `path` and its parents.
    static func create(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw HarnessError(.fileSystem, "cannot create directory \(path): \(error)")
        }
    }

    /// Removes `path` recursively; a missing path is fine.
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func removeStaleRoots(in temporary: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = pid_t(entry.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                remove("\(temporary)/\(entry)")
            }
        }
    }
}
