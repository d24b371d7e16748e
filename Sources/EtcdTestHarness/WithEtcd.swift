/// Starts a cluster, runs `body` with it and always shuts it down, also when `body`
/// throws or the task is cancelled.
///
/// ```swift
/// try await withEtcd(members: 3) { cluster in
///     try await cluster.etcdctl("put", "k", "v")
/// }
/// ```
public func withEtcd<Result>(
    members: Int = 1,
    tls: EtcdTLSMode = .none,
    auth: EtcdCredentials? = nil,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (EtcdCluster) async throws -> Result
) async throws -> Result {
    try await withEtcd(EtcdClusterConfiguration(members: members, tls: tls, auth: auth), body)
}

/// Like `withEtcd(members:tls:auth:_:)`, with a full configuration.
public func withEtcd<Result>(
    _ configuration: EtcdClusterConfiguration,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (EtcdCluster) async throws -> Result
) async throws -> Result {
    let cluster = try await EtcdCluster.start(configuration)
    let result: Result
    do {
        result = try await body(cluster)
    } catch {
        await cluster.shutdown()
        throw error
    }
    await cluster.shutdown()
    return result
}
