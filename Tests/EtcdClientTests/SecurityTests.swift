import EtcdClient
import EtcdTestHarness
import Foundation
import Testing

extension ClientSuites {
    @Suite("TLS and auth")
    struct SecurityTests {
        @Test("TLS: the client verifies the server against the CA")
        func serverTLS() async throws {
            try await withEtcd(members: 1, tls: .serverTLS) { cluster in
                let client = try makeClient(cluster)
                try await client.put("/tls", value: "ok")
                #expect(try await client.get("/tls")?.valueString == "ok")
                await client.close()
                // Without the test CA the server's certificate is not trusted.
                var untrusting = EtcdClientConfiguration(endpoints: cluster.clientEndpoints)
                untrusting.tls = .init()
                untrusting.requestTimeout = .seconds(1)
                let stranger = try EtcdClient(configuration: untrusting)
                let error = await expectEtcdError(.deadlineExceeded) { _ = try await stranger.get("/tls") }
                #expect(error?.message.contains("no answer from etcd") == true)
                await stranger.close()
            }
        }

        @Test("mutual TLS: a client certificate is required")
        func mutualTLS() async throws {
            try await withEtcd(members: 1, tls: .mutualTLS) { cluster in
                let client = try makeClient(cluster)
                try await client.put("/mtls", value: "ok")
                #expect(try await client.get("/mtls")?.valueString == "ok")
                await client.close()
                let anonymous = try makeClient(cluster, clientCertificate: false, requestTimeout: .seconds(1))
                await expectEtcdError(.deadlineExceeded) { _ = try await anonymous.get("/mtls") }
                await anonymous.close()
            }
        }

        @Test("auth: the right password works, a wrong one gives a clear error")
        func auth() async throws {
            try await withEtcd(members: 1, auth: .testUser) { cluster in
                let client = try makeClient(cluster)
                try await client.put("/auth", value: "ok")
                #expect(try await client.get("/auth")?.valueString == "ok")
                for try await _ in client.watch(.key("/auth"), options: WatchOptions(startRevision: 1)) { break }
                await client.close()
                let wrong = try makeClient(cluster, credentials: .init(username: "etcron", password: "wrong"))
                let error = await expectEtcdError(.authenticationFailed) { _ = try await wrong.get("/auth") }
                #expect(error?.message.contains("user \"etcron\" was refused") == true, "\(error?.message ?? "")")
                await wrong.close()
            }
        }

        @Test("auth: an expired token is refreshed without the caller noticing")
        func tokenRefresh() async throws {
            var configuration = EtcdClusterConfiguration(members: 1, auth: .testUser)
            configuration.extraArguments = ["--auth-token-ttl=1"]
            try await withEtcd(configuration) { cluster in
                let client = try makeClient(cluster)
                try await client.put("/token", value: "1")
                try await Task.sleep(for: .seconds(3))
                try await client.put("/token", value: "2")
                #expect(try await client.get("/token")?.valueString == "2")
                await client.close()
            }
        }
    }
}
