import EtcdTestHarness
import Testing

extension EtcdSuites {
    @Suite("Auth")
    struct AuthTests {
        @Test("With auth on, the right password works and a wrong or missing one fails")
        func passwords() async throws {
            try await withEtcd(members: 1, auth: .testUser) { cluster in
                #expect(cluster.credentials == .testUser)
                let root = try #require(cluster.rootCredentials)
                #expect(root.username == "root")

                try await cluster.etcdctl("put", "/etcron/jobs/a", "1")
                #expect(try await cluster.etcdctl("get", "/etcron/jobs/a", "--print-value-only") == "1\n")
                try await cluster.etcdctl("put", "zzz-any-key", "2")

                let wrong = cluster.etcdctl.with(credentials: EtcdCredentials(username: "etcron", password: "wrong"))
                let error = await #expect(throws: HarnessError.self) { try await wrong("get", "/etcron/jobs/a") }
                #expect(error?.message.contains("authentication failed") == true)

                await #expect(throws: HarnessError.self) {
                    try await cluster.etcdctl.withoutCredentials()("get", "/etcron/jobs/a")
                }

                let users = try await cluster.etcdctl.with(credentials: root)("user", "list")
                #expect(users.contains("etcron"))
                #expect(users.contains("root"))
            }
        }

        @Test("Auth and mutual TLS together")
        func authWithMutualTLS() async throws {
            try await withEtcd(members: 1, tls: .mutualTLS, auth: .testUser) { cluster in
                try await cluster.etcdctl("put", "both", "yes")
                #expect(try await cluster.etcdctl("get", "both", "--print-value-only") == "yes\n")
                let wrong = cluster.etcdctl.with(credentials: EtcdCredentials(username: "etcron", password: "nope"))
                await #expect(throws: HarnessError.self) { try await wrong("get", "both") }
            }
        }
    }
}
