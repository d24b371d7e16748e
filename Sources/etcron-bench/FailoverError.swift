/// Why `etcron-bench failover` gave up: a message that says what did not happen and, where
/// replicas are involved, the tails of their logs. ArgumentParser prints it to standard
/// error and exits with a non-zero status.
struct FailoverError: Error, CustomStringConvertible {
    /// What went wrong, in words.
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
