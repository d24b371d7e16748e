import Logging

/// A throwaway certificate authority with a server and a client certificate, made with
/// the `openssl` CLI (ECDSA P-256, valid for two days).
///
/// The server certificate names IP:127.0.0.1 and DNS:localhost and allows both server and
/// client use (etcd's own gRPC gateway dials the server with it under client-cert-auth).
/// The client certificate's common name is `clientCommonName`.
public struct TLSCertificates: Sendable, Hashable {
    /// The common name of the client certificate.
    public static let clientCommonName = "etcron-client"

    /// The directory holding every file below.
    public let directory: String
    /// PEM file of the CA certificate; trust this to verify the server.
    public let caCertificate: String
    /// PEM file of the CA key.
    public let caKey: String
    /// PEM file of the server certificate.
    public let serverCertificate: String
    /// PEM file of the server key.
    public let serverKey: String
    /// PEM file of the client certificate (CN=etcron-client).
    public let clientCertificate: String
    /// PEM file of the client key.
    public let clientKey: String

    /// Generates the CA and both certificates into `directory` (which must exist).
    ///
    /// Throws `executableNotFound` without openssl and `tlsSetupFailed` with openssl's
    /// error output if a step fails.
    public static func generate(
        in directory: String,
        opensslPath: String? = nil,
        logger: Logger = Logger(label: "etcron.harness")
    ) async throws -> TLSCertificates {
        let openssl = try ExecutableLookup.require(opensslPath ?? "openssl", package: "openssl")
        let files = TLSCertificates(
            directory: directory,
            caCertificate: "\(directory)/ca.crt", caKey: "\(directory)/ca.key",
            serverCertificate: "\(directory)/server.crt", serverKey: "\(directory)/server.key",
            clientCertificate: "\(directory)/client.crt", clientKey: "\(directory)/client.key"
        )
        let newKey = ["-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]
        let signedByCA = ["-CA", files.caCertificate, "-CAkey", files.caKey]
        let steps: [(String, [String])] = [
            ("CA", ["req", "-x509"] + newKey + [
                "-keyout", files.caKey, "-out", files.caCertificate, "-subj", "/CN=etcron-test-ca",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ]),
            ("server certificate", ["req", "-x509"] + newKey + signedByCA + [
                "-keyout", files.serverKey, "-out", files.serverCertificate, "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-addext", "extendedKeyUsage=serverAuth,clientAuth",
                "-addext", "basicConstraints=critical,CA:FALSE",
                "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
            ]),
            ("client certificate", ["req", "-x509"] + newKey + signedByCA + [
                "-keyout", files.clientKey, "-out", files.clientCertificate, "-subj", "/CN=\(clientCommonName)",
                "-addext", "extendedKeyUsage=clientAuth",
                "-addext", "basicConstraints=critical,CA:FALSE",
                "-addext", "keyUsage=critical,digitalSignature",
            ]),
        ]
        for (what, arguments) in steps {
            let result = try await CapturedCommand.run(openssl, arguments: arguments, timeout: .seconds(30), logger: logger)
            guard result.status.isSuccess else {
                throw HarnessError(.tlsSetupFailed, "openssl could not make the \(what) in \(directory) (\(result.status)): \(result.standardError)")
            }
        }
        logger.debug("generated TLS certificates", metadata: ["directory": "\(directory)"])
        return files
    }
}
