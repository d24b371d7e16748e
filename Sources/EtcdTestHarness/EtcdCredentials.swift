/// A user name and password for etcd's authentication.
public struct EtcdCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The etcd user name.
    public var username: String
    /// The password.
    public var password: String

    /// Creates credentials.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `etcron` / `etcron-password`: a convenient non-root user for tests.
    public static let testUser = EtcdCredentials(username: "etcron", password: "etcron-password")

    /// The user name only; the password is not printed.
    public var description: String { "EtcdCredentials(\(username))" }
}
