import Foundation
import Logging
import Metrics
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The certificate and key of the replica's HTTP listener (`http-tls-cert-file`,
/// `http-tls-key-file`), re-read when the files change, without a restart: every TLS
/// handshake is served the pair in force (a rotated Kubernetes Secret, a renewed
/// certificate). A pair that cannot be read or does not match is refused: at startup
/// with the setting named (exit 2), while serving logged and counted
/// (`etcron_http_tls_reload_errors_total`), the last good pair staying in force.
public final class ListenerTLS: Service, Sendable {
    /// The certificate chain file (PEM).
    public let certificateFile: String
    /// The private key file (PEM).
    public let keyFile: String
    /// How often the files are checked for a change.
    public let checkInterval: Duration

    private struct Pair: Sendable {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
        var stamp: String
    }

    private let current: Mutex<Pair>
    private let logger: Logger
    private let reloadErrors = Counter(label: "etcron_http_tls_reload_errors_total")

    /// Loads the pair.
    /// - Throws: `ListenerTLSError` naming the setting and the reason.
    public init(certificateFile: String, keyFile: String, checkInterval: Duration = .seconds(2), logger: Logger) throws(ListenerTLSError) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.checkInterval = checkInterval
        self.logger = logger
        current = Mutex(try Self.load(certificateFile, keyFile))
    }

    /// The server's TLS configuration: the pair in force, served to every handshake.
    public var configuration: TLSConfiguration {
        let pair = current.withLock { $0 }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: pair.chain.map { .certificate($0) }, privateKey: .privateKey(pair.key))
        configuration.sslContextCallback = { [weak self] _, promise in
            guard let self else { return promise.succeed(NIOSSLContextConfigurationOverride()) }
            let pair = self.current.withLock { $0 }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = pair.chain.map { .certificate($0) }
            override.privateKey = .privateKey(pair.key)
            promise.succeed(override)
        }
        return configuration
    }

    /// Reads the files again if they changed; returns whether a new pair is in force.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let stamp = Self.stamp(certificateFile, keyFile)
        guard stamp != current.withLock({ $0.stamp }) else { return false }
        do {
            let pair = try Self.load(certificateFile, keyFile)
            current.withLock { $0 = pair }
            logger.info("listener TLS certificate reloaded", metadata: ["file": "\(certificateFile)"])
            return true
        } catch {
            reloadErrors.increment()
            // Remember the stamp: the same bad files are reported once, not every check.
            current.withLock { $0.stamp = stamp }
            logger.error("listener TLS certificate not reloaded; the previous one stays in force", metadata: ["error": "\(error)"])
            return false
        }
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: checkInterval)
            reloadIfChanged()
        }
    }

    private static func load(_ certificateFile: String, _ keyFile: String) throws(ListenerTLSError) -> Pair {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw ListenerTLSError(setting: "http-tls-cert-file", reason: "\(certificateFile) holds no PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw ListenerTLSError(setting: "http-tls-cert-file", reason: "\(certificateFile) holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw ListenerTLSError(setting: "http-tls-key-file", reason: "\(keyFile) holds no PEM private key (\(error))")
        }
        // A key that does not belong to the certificate fails the first handshake; refuse
        // it now instead.
        do {
            var probe = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            probe.minimumTLSVersion = .tlsv12
            _ = try NIOSSLContext(configuration: probe)
        } catch {
            throw ListenerTLSError(setting: "http-tls-key-file", reason: "\(keyFile) is not the key of the certificate in \(certificateFile) (\(error))")
        }
        return Pair(chain: chain, key: key, stamp: stamp(certificateFile, keyFile))
    }

    /// Size, modification time and inode of both files (a Secret update swaps symlinks).
    private static func stamp(_ files: String...) -> String {
        files.map { file in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: file) else { return "missing" }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let inode = (attributes[.systemFileNumber] as? NSNumber)?.intValue ?? 0
            return "\(size)/\(modified)/\(inode)"
        }.joined(separator: "|")
    }
}

/// Why the listener's certificate or key cannot be used.
public struct ListenerTLSError: Error, Sendable, CustomStringConvertible {
    /// The setting at fault.
    public var setting: String
    /// Why.
    public var reason: String
    public var description: String { "\(setting): \(reason)" }
}
