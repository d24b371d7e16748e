import ArgumentParser
import Foundation

/// Bad input or configuration: printed as `etcron: <message>` on stderr, exit status 2.
struct UsageFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Prints `message` to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
