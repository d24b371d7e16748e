import EtcdClient
import EtcdTestHarness
import Foundation
import Testing

/// Every client test runs real etcd, one test at a time: raft timings of a 3-member
/// cluster must not compete for the 2 cores with other clusters starting up.
@Suite("etcd client", .serialized)
struct ClientSuites {}

/// A client for `cluster`, with its TLS files and the test user's credentials if it has them.
func makeClient(
    _ cluster: EtcdCluster,
    endpoints: [String]? = nil,
    clientCertificate: Bool = true,
    credentials: EtcdClientConfiguration.Credentials? = nil,
    requestTimeout: Duration = .seconds(5)
) throws -> EtcdClient {
    var configuration = EtcdClientConfiguration(endpoints: endpoints ?? cluster.clientEndpoints)
    configuration.requestTimeout = requestTimeout
    if let certificates = cluster.certificates {
        configuration.tls = EtcdClientConfiguration.TLS(
            caFile: certificates.caCertificate,
            certificateFile: clientCertificate && cluster.configuration.tls == .mutualTLS ? certificates.clientCertificate : nil,
            keyFile: clientCertificate && cluster.configuration.tls == .mutualTLS ? certificates.clientKey : nil)
    }
    if let credentials {
        configuration.credentials = credentials
    } else if let user = cluster.credentials {
        configuration.credentials = .init(username: user.username, password: user.password)
    }
    return try EtcdClient(configuration: configuration)
}

/// Starts etcd, runs `body` with a client, and always closes the client and stops etcd.
func withClient(
    _ configuration: EtcdClusterConfiguration = EtcdClusterConfiguration(),
    _ body: (EtcdCluster, EtcdClient) async throws -> Void
) async throws {
    try await withEtcd(configuration) { cluster in
        let client = try makeClient(cluster)
        do {
            try await body(cluster, client)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }
}

/// Runs `body`, failing with `what` if it has not finished within `limit` (a hang guard,
/// not a speed assertion).
func within<T: Sendable>(_ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw HangError(what: what, limit: limit)
        }
        group.cancelAll()
        return value
    }
}

struct HangError: Error, CustomStringConvertible {
    var what: String
    var limit: Duration
    var description: String { "\(what) did not finish within \(limit)" }
}

/// Asserts that `body` throws an `EtcdError` with `code`, and returns it.
@discardableResult
func expectEtcdError(_ code: EtcdError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> EtcdError? {
    do {
        try await body()
        Issue.record("expected EtcdError \(code), but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as EtcdError {
        #expect(error.code == code, "got \(error.code): \(error.message)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected EtcdError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension Data {
    init(_ text: String) { self = Data(text.utf8) }
}
