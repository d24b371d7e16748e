import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds programs on PATH the way a shell does.
public enum ExecutableLookup {
    /// The absolute path of `name` if it is an executable file in one of the
    /// colon-separated directories of `searchPath` (default: this process's PATH).
    /// A name containing `/` is checked as given.
    public static func find(_ name: String, searchPath: String? = nil) -> String? {
        if name.contains("/") {
            return access(name, X_OK) == 0 ? name : nil
        }
        let directories = (searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            .split(separator: ":", omittingEmptySubsequences: true)
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory),
               !isDirectory.boolValue, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Like `find`, but throws `executableNotFound` with an install hint, e.g.
    /// "etcd not found on PATH; install the etcd-server package".
    static func require(_ name: String, package: String? = nil, searchPath: String? = nil) throws -> String {
        guard let path = find(name, searchPath: searchPath) else {
            let location = name.contains("/") ? "at \(name)" : "on PATH"
            let hint = package.map { "; install the \($0) package" } ?? ""
            throw HarnessError(.executableNotFound, "\(name) not found \(location)\(hint)")
        }
        return path
    }
}
