import ArgumentParser
import Foundation

/// Bad input or configuration: printed as `etcron: <message>` on stderr, exit status 2.
public struct UsageFailure: Error, CustomStringConvertible {
    /// What is wrong, naming the setting or argument.
    public var message: String

    /// A failure saying `message`.
    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Prints `message` to stderr.
public func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
