#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads small files (certificates, keys, passwords, the YAML configuration) with the
/// operating system's own reason when that fails, e.g. `Permission denied`, so a
/// configuration error says why a path is unusable and not only that it is.
enum ReadableFile {
    /// Anything larger is not a certificate, a password or a configuration file, and
    /// reading it (say `/dev/zero`) must not hang the replica's start.
    static let maximumSize = 4 * 1024 * 1024

    /// Why a read failed.
    struct Failure: Error, Sendable, Hashable {
        /// `strerror` text or a size complaint, e.g. `No such file or directory`.
        var reason: String
    }

    /// The whole contents of the file at `path`.
    static func contents(of path: String) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(reason: errorText(errno)) }
        defer { close(descriptor) }

        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                contents.append(contentsOf: chunk[0..<count])
                if contents.count > maximumSize {
                    throw Failure(reason: "larger than \(maximumSize / (1024 * 1024)) MiB")
                }
            } else if count == 0 {
                return contents
            } else if errno != EINTR {
                // A directory opens fine and fails here with EISDIR.
                throw Failure(reason: errorText(errno))
            }
        }
    }

    /// The contents of the file at `path` as UTF-8 text.
    static func text(of path: String) throws(Failure) -> String {
        let bytes = try contents(of: path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Failure(reason: "not UTF-8 text")
        }
        return text
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
