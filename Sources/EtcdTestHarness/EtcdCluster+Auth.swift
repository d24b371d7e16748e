import Logging

/// Turning on etcd authentication for a fresh cluster.
extension EtcdCluster {
    /// The role granted to the non-root test user.
    static let readWriteRole = "etcron-readwrite"

    /// Creates root (with the root role) and `user` with read-write access to every key
    /// (key "" with `--prefix`, i.e. range end "\0"), then enables auth.
    func enableAuth(user: EtcdCredentials, root: EtcdCredentials) async throws {
        let etcdctl = etcdctl.withoutCredentials()
        try await etcdctl.run(["user", "add", "root", "--new-user-password=\(root.password)", "--interactive=false"])
        try await etcdctl.run(["user", "grant-role", "root", "root"])
        if user.username != "root" {
            try await etcdctl.run(["role", "add", Self.readWriteRole])
            try await etcdctl.run(["role", "grant-permission", Self.readWriteRole, "--prefix=true", "readwrite", ""])
            try await etcdctl.run(["user", "add", user.username, "--new-user-password=\(user.password)", "--interactive=false"])
            try await etcdctl.run(["user", "grant-role", user.username, Self.readWriteRole])
        }
        try await etcdctl.run(["auth", "enable"])
        configuration.logger.debug("enabled etcd auth", metadata: ["user": "\(user.username)"])
    }
}
