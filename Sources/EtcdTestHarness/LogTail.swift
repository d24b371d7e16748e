import Foundation

/// Reads the end of a (possibly large) log file.
enum LogTail {
    /// The last `lines` lines of the file at `path`, or a note that it is unreadable.
    static func read(_ path: String, lines: Int) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return "(no log at \(path))"
        }
        defer { try? handle.close() }
        // Only the end matters; etcd logs can grow large in long tests.
        let window: UInt64 = 256 * 1024
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > window ? size - window : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        var tail = text.split(separator: "\n", omittingEmptySubsequences: false)
        if tail.last == "" { tail.removeLast() }
        return tail.suffix(max(lines, 0)).joined(separator: "\n")
    }
}
