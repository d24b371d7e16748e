#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONLogHandler {
    /// Writes each line to stderr with one `write(2)` (retried on a short write), so a
    /// line is never split by another thread's output and nothing is buffered when the
    /// process dies.
    public static let standardError: Output = { line in
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                // stderr is gone (closed pipe, full disk): dropping the line is all a
                // logger can do.
                return
            }
        }
    }
}
