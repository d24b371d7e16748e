import EtcdTestHarness
import Foundation
import Testing

extension EtcdSuites {
    @Suite("TLS")
    struct TLSTests {
        @Test("Server TLS: etcdctl trusting the test CA works, without the CA it is refused")
        func serverTLS() async throws {
            try await withEtcd(members: 1, tls: .serverTLS) { cluster in
                let certificates = try #require(cluster.certificates)
                for file in [certificates.caCertificate, certificates.serverCertificate, certificates.serverKey,
                             certificates.clientCertificate, certificates.clientKey] {
                    #expect(FileManager.default.fileExists(atPath: file))
                }
                #expect(cluster.members[0].clientURL.hasPrefix("https://"))
                #expect(cluster.members[0].metricsURL.hasPrefix("http://"))
                try await cluster.etcdctl("put", "secure", "yes")
                #expect(try await cluster.etcdctl("get", "secure", "--print-value-only") == "yes\n")

                var untrusting = cluster.etcdctl.withoutCACertificate()
                untrusting.commandTimeout = .milliseconds(500)
                let error = await #expect(throws: HarnessError.self) { try await untrusting("get", "secure") }
                #expect(error?.code == .commandFailed)

                var plain = cluster.etcdctl.with(endpoints: ["http://\(cluster.members[0].clientEndpoint)"])
                plain.caCertificate = nil
                plain.commandTimeout = .milliseconds(500)
                await #expect(throws: HarnessError.self) { try await plain("get", "secure") }
            }
        }

        @Test("Mutual TLS: etcdctl with the client certificate works, without it is refused")
        func mutualTLS() async throws {
            try await withEtcd(members: 1, tls: .mutualTLS) { cluster in
                try await cluster.etcdctl("put", "mutual", "yes")
                #expect(try await cluster.etcdctl("get", "mutual", "--print-value-only") == "yes\n")

                var anonymous = cluster.etcdctl.withoutClientCertificate()
                anonymous.commandTimeout = .milliseconds(500)
                let error = await #expect(throws: HarnessError.self) { try await anonymous("get", "mutual") }
                #expect(error?.code == .commandFailed)
            }
        }

        @Test("Certificates name 127.0.0.1 and localhost, and the client is etcron-client")
        func certificateContents() async throws {
            let directory = try TestSupport.makeScratchDirectory()
            defer { TestSupport.removeScratchDirectory(directory) }
            let certificates = try await TLSCertificates.generate(in: directory)
            let server = try await text(of: certificates.serverCertificate, in: directory)
            #expect(server.contains("IP Address:127.0.0.1"))
            #expect(server.contains("DNS:localhost"))
            let client = try await text(of: certificates.clientCertificate, in: directory)
            #expect(client.contains("CN = etcron-client") || client.contains("CN=etcron-client"))
        }

        private func text(of certificate: String, in directory: String) async throws -> String {
            let log = "\(directory)/openssl-\(UUID().uuidString.prefix(6)).log"
            let process = try await ManagedProcess.start("openssl", arguments: ["x509", "-in", certificate, "-noout", "-text"], logFile: log)
            #expect(try await process.waitForExit().isSuccess)
            return try String(contentsOfFile: log, encoding: .utf8)
        }
    }
}
