import EtcdClient
import EtcdTestHarness
import Foundation
import Testing

extension ClientSuites {
    @Suite("connection")
    struct ConnectionTests {
        @Test("unreachable endpoints give a clear error within the deadline")
        func unreachable() async throws {
            let port = try LoopbackPorts.allocate()
            var configuration = EtcdClientConfiguration(endpoints: ["127.0.0.1:\(port)"])
            configuration.requestTimeout = .milliseconds(800)
            let client = try EtcdClient(configuration: configuration)
            let started = ContinuousClock.now
            let error = await expectEtcdError(.deadlineExceeded) {
                _ = try await client.get("/x")
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(3), "took \(elapsed)")
            #expect(error?.message.contains("127.0.0.1:\(port)") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("no answer from etcd") == true)
            await client.close()
        }

        @Test("malformed endpoints are refused naming the endpoint and the reason", arguments: [
            ("", "expected host:port"),
            ("127.0.0.1", "expected host:port"),
            ("127.0.0.1:http", "port must be a number"),
            ("127.0.0.1:70000", "port must be a number"),
            ("ftp://127.0.0.1:2379", "unsupported scheme"),
            ("bad host:2379", "invalid host"),
        ])
        func malformed(endpoint: String, reason: String) throws {
            do {
                _ = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: [endpoint]))
                Issue.record("endpoint \(endpoint) was accepted")
            } catch {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains(reason), "\(error.message)")
                #expect(error.message.contains("\"\(endpoint)\""), "\(error.message)")
            }
        }

        @Test("no endpoints and unreadable TLS files are refused with the setting named")
        func badConfiguration() throws {
            #expect(throws: EtcdError.self) { try EtcdClient(configuration: EtcdClientConfiguration(endpoints: [])) }
            var configuration = EtcdClientConfiguration(endpoints: ["127.0.0.1:2379"])
            configuration.tls = .init(caFile: "/nonexistent/ca.pem")
            do {
                _ = try EtcdClient(configuration: configuration)
                Issue.record("an unreadable CA file was accepted")
            } catch {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains("etcd CA file \"/nonexistent/ca.pem\""), "\(error.message)")
            }
        }

        @Test("closing a client with open watches and keep-alives finishes promptly")
        func shutdownWithOpenStreams() async throws {
            try await withEtcd { cluster in
                let client = try makeClient(cluster)
                let lease = try await client.leaseGrant(ttl: 30)
                let keepAlive = await client.keepAlive(lease.id, ttl: lease.ttl)
                let watchers = (0..<5).map { index in
                    Task {
                        var count = 0
                        do {
                            for try await response in client.watch(.prefix("/w\(index)/")) {
                                count += response.events.count
                            }
                        } catch {}
                        return count
                    }
                }
                try await client.put("/w0/a", value: "1")
                try await Task.sleep(for: .milliseconds(200))
                try await within(.seconds(10), "client.close() with 5 open watches") {
                    await client.close()
                }
                for watcher in watchers {
                    _ = try await within(.seconds(10), "a watch after close") { await watcher.value }
                }
                var lost = false
                for await event in keepAlive.events {
                    if case .lost = event { lost = true }
                }
                #expect(lost)
                await expectEtcdError(.unavailable) { _ = try await client.get("/w0/a") }
            }
        }
    }
}
