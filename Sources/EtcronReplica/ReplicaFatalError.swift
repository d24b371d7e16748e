/// A condition a replica cannot recover from by waiting (etcd refused its credentials or
/// its certificate): the operator exits with status 2 and this message.
public struct ReplicaFatalError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the setting.
    public var message: String

    /// An error with `message`.
    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
