import Foundation
import Logging

/// Runs `etcdctl` (API v3) with the endpoints, TLS files and credentials of a cluster.
///
/// Get a configured one from `EtcdCluster.etcdctl`, adjust a copy for negative tests
/// (`withoutCredentials()`, `withoutClientCertificate()`, ...), and call it:
///
/// ```swift
/// try await cluster.etcdctl("put", "k", "v")
/// let value = try await cluster.etcdctl("get", "k", "--print-value-only")
/// ```
public struct Etcdctl: Sendable {
    /// Absolute path of the etcdctl program.
    public var executable: String
    /// Client URLs passed as `--endpoints` (e.g. `https://127.0.0.1:23790`).
    public var endpoints: [String]
    /// `--cacert`: the CA that verifies the server; nil for plain HTTP.
    public var caCertificate: String?
    /// `--cert`: the client certificate for mutual TLS.
    public var clientCertificate: String?
    /// `--key`: the client key for mutual TLS.
    public var clientKey: String?
    /// `--user`/`--password`; nil sends no credentials.
    public var credentials: EtcdCredentials?
    /// `--dial-timeout`.
    public var dialTimeout: Duration
    /// `--command-timeout`.
    public var commandTimeout: Duration
    /// Hard limit after which the etcdctl process is SIGKILLed.
    public var processTimeout: Duration
    /// Where the command lines are logged (debug level).
    public var logger: Logger

    /// Configures etcdctl; `executable` nil looks up `etcdctl` on PATH (throwing
    /// `executableNotFound` if it is missing).
    public init(
        endpoints: [String],
        caCertificate: String? = nil,
        clientCertificate: String? = nil,
        clientKey: String? = nil,
        credentials: EtcdCredentials? = nil,
        executable: String? = nil,
        logger: Logger = Logger(label: "etcron.harness")
    ) throws {
        self.init(
            resolvedExecutable: try ExecutableLookup.require(executable ?? "etcdctl", package: "etcd-client"),
            endpoints: endpoints, logger: logger
        )
        self.caCertificate = caCertificate
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.credentials = credentials
    }

    /// Configures etcdctl at a path already known to exist.
    init(resolvedExecutable: String, endpoints: [String], logger: Logger) {
        self.executable = resolvedExecutable
        self.endpoints = endpoints
        self.dialTimeout = .seconds(2)
        self.commandTimeout = .seconds(5)
        self.processTimeout = .seconds(20)
        self.logger = logger
    }

    /// Runs `etcdctl <flags> <arguments>` and returns its standard output.
    ///
    /// `input` becomes etcdctl's standard input (e.g. `put key` reads the value from it,
    /// which allows any bytes). Throws `commandFailed` with etcdctl's standard error when
    /// it exits unsuccessfully, and `timedOut` after `processTimeout`.
    @discardableResult
    public func run(_ arguments: [String], input: Data? = nil) async throws -> String {
        var flags = [
            "--endpoints=\(endpoints.joined(separator: ","))",
            "--dial-timeout=\(Self.goDuration(dialTimeout))",
            "--command-timeout=\(Self.goDuration(commandTimeout))",
        ]
        if let caCertificate { flags.append("--cacert=\(caCertificate)") }
        if let clientCertificate { flags.append("--cert=\(clientCertificate)") }
        if let clientKey { flags.append("--key=\(clientKey)") }
        if let credentials {
            flags += ["--user=\(credentials.username)", "--password=\(credentials.password)"]
        }
        // Inherited ETCDCTL_* variables would clash with (or silently add to) our flags.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ETCDCTL_") }
        environment["ETCDCTL_API"] = "3"
        logger.debug("etcdctl", metadata: ["arguments": "\(arguments.joined(separator: " "))", "endpoints": "\(endpoints)"])
        let result = try await CapturedCommand.run(
            executable, arguments: flags + arguments, environment: environment, input: input,
            timeout: processTimeout, logger: logger
        )
        guard result.status.isSuccess else {
            let standardError = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            throw HarnessError(
                .commandFailed,
                "etcdctl \(arguments.joined(separator: " ")) failed (\(result.status)) against \(endpoints.joined(separator: ",")): \(standardError)"
            )
        }
        return result.standardOutput
    }

    /// `run(arguments)`: lets a configured value be called like a function,
    /// `try await cluster.etcdctl("get", "k")`.
    @discardableResult
    public func callAsFunction(_ arguments: String...) async throws -> String {
        try await run(arguments)
    }

    /// A copy that sends no user name or password.
    public func withoutCredentials() -> Etcdctl {
        var copy = self
        copy.credentials = nil
        return copy
    }

    /// A copy that authenticates with `credentials`.
    public func with(credentials: EtcdCredentials?) -> Etcdctl {
        var copy = self
        copy.credentials = credentials
        return copy
    }

    /// A copy that presents no client certificate.
    public func withoutClientCertificate() -> Etcdctl {
        var copy = self
        copy.clientCertificate = nil
        copy.clientKey = nil
        return copy
    }

    /// A copy that does not trust the test CA (so TLS verification fails).
    public func withoutCACertificate() -> Etcdctl {
        var copy = self
        copy.caCertificate = nil
        return copy
    }

    /// A copy that talks to `endpoints` only.
    public func with(endpoints: [String]) -> Etcdctl {
        var copy = self
        copy.endpoints = endpoints
        return copy
    }

    /// Go's duration syntax, e.g. `2500ms`.
    private static func goDuration(_ duration: Duration) -> String {
        "\(max(duration.wholeMilliseconds, 1))ms"
    }
}
