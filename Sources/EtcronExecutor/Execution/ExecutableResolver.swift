import EtcronCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the file an exec target's `command` names, the way a shell would, so that a
/// missing or unusable program is reported in words instead of as a bare errno.
enum ExecutableResolver {
    /// The absolute path to run, or why there is none.
    enum Resolution: Equatable {
        case found(String)
        case problem(String)
    }

    /// Resolves `command`: a name with a slash is a path (relative ones to
    /// `workingDirectory`), anything else is looked up in `searchPath`.
    static func resolve(_ command: String, searchPath: String, workingDirectory: String) -> Resolution {
        if command.contains("/") {
            let path = command.hasPrefix("/") ? command : joined(workingDirectory, command)
            switch check(path) {
            case .usable: return .found(path)
            case .missing: return .problem("command \"\(command)\" not found")
            case .directory: return .problem("command \"\(command)\" is a directory")
            case .notExecutable: return .problem("command \"\(command)\" is not executable")
            }
        }
        var sawNotExecutable = false
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let base = directory.hasPrefix("/") ? String(directory) : joined(workingDirectory, String(directory))
            let path = joined(base, command)
            switch check(path) {
            case .usable: return .found(path)
            case .notExecutable: sawNotExecutable = true
            case .missing, .directory: continue
            }
        }
        if sawNotExecutable {
            return .problem("command \"\(command)\" is not executable (PATH=\(searchPath))")
        }
        return .problem("command \"\(command)\" not found in PATH (\(searchPath))")
    }

    private enum FileCheck {
        case usable, missing, directory, notExecutable
    }

    private static func check(_ path: String) -> FileCheck {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        if isDirectory.boolValue { return .directory }
        return access(path, X_OK) == 0 ? .usable : .notExecutable
    }

    private static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
