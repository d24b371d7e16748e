import AsyncHTTPClient
import EtcronCore
import Foundation

/// Replica-wide settings of the target runners (not part of a job).
public struct TargetRunnerSettings: Sendable {
    /// How many bytes of output a run keeps (the last ones). Default 64 KiB, the size of
    /// the run record's `output` field.
    public var outputLimit: Int
    /// The environment exec targets start from, before the job's `env`.
    public var inheritedEnvironment: [String: String]
    /// Where exec targets without a `working_directory` start: like cron, the inherited
    /// HOME if it is a directory, else `/`.
    public var defaultWorkingDirectory: String
    /// How long output is still read after an exec target's process exits, when
    /// something outside its process group keeps the output pipe open.
    public var outputDrainWindow: Duration
    /// Starts exec targets through this guard, so none outlives its executor (see
    /// ``ExecGuard``); nil starts them directly.
    public let execGuard: ExecGuard.Launcher?
    /// The one guard these settings' runs go through, started with the first of them.
    let guardHost: ExecGuardHost?
    /// Where http targets may not connect (see ``HTTPFence``).
    public var httpFence: HTTPFence
    /// The HTTP client of http targets, with its connections per target host
    /// (`http-connections-per-host`) and the gate where requests wait for one of them.
    var http: HTTPTargetClient

    /// Keep-alive connections per target host by default (the operator's
    /// `http-connections-per-host` setting, validated by the replica's configuration).
    public static let defaultHTTPConnectionsPerHost = HTTPTargetClient.defaultConnectionsPerHost

    /// The configuration of the http targets' client keeping `connectionsPerHost`
    /// connections per host (for a baseline client of the same kind).
    public static func httpClientConfiguration(connectionsPerHost: Int = defaultHTTPConnectionsPerHost) -> HTTPClient.Configuration {
        HTTPTargetClient.configuration(connectionsPerHost: connectionsPerHost)
    }

    /// Settings with the defaults described on each property.
    public init(
        outputLimit: Int = 64 * 1024,
        inheritedEnvironment: [String: String] = ExecEnvironment.minimal(),
        defaultWorkingDirectory: String? = nil,
        outputDrainWindow: Duration = .milliseconds(500),
        execGuard: ExecGuard.Launcher? = nil,
        httpFence: HTTPFence = HTTPFence(),
        httpConnectionsPerHost: Int = TargetRunnerSettings.defaultHTTPConnectionsPerHost
    ) {
        self.httpFence = httpFence
        http = .shared(connectionsPerHost: max(httpConnectionsPerHost, 1))
        self.execGuard = execGuard
        guardHost = execGuard.map { ExecGuardHost(launcher: $0) }
        self.outputLimit = outputLimit
        self.inheritedEnvironment = inheritedEnvironment
        self.defaultWorkingDirectory = defaultWorkingDirectory
            ?? Self.homeDirectory(inheritedEnvironment["HOME"])
        self.outputDrainWindow = outputDrainWindow
    }

    private static func homeDirectory(_ home: String?) -> String {
        var isDirectory: ObjCBool = false
        if let home, home.hasPrefix("/"), FileManager.default.fileExists(atPath: home, isDirectory: &isDirectory),
           isDirectory.boolValue {
            return home
        }
        return "/"
    }
}
