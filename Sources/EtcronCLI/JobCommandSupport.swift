import ArgumentParser
import EtcdClient
import EtcronAPIClient
import EtcronCore
import EtcronReplica
import Foundation
import Yams

/// Parses a `TENANT/NAME` argument; a malformed one is a usage error (exit 2) naming the
/// argument.
func jobID(_ text: String, argument: String = "TENANT/NAME") throws -> JobID {
    guard let id = JobID(parsing: text) else {
        throw ValidationError("\(argument): \"\(text)\" must be TENANT/NAME, e.g. payments/settle-invoices")
    }
    if let reason = JobName.refusal(of: id.tenant) { throw ValidationError("\(argument): tenant \(reason)") }
    if let reason = JobName.refusal(of: id.name) { throw ValidationError("\(argument): name \(reason)") }
    return id
}

/// Connects with the command's flags (the `/v1` API of `--server`, or etcd; see
/// `ClientSettings.target`), runs `body` with the service and closes it. Failures become
/// the command's exit status: refused input exits 2 (through ``UsageFailure``), anything
/// else prints `etcron COMMAND: message` (the API's message, naming the field) and exits 1.
func withJobService<Result>(
    _ connection: ConnectionFlags, command: String, _ body: (any JobService) async throws(JobStoreError) -> Result
) async throws -> Result {
    let service: any JobService
    switch try ClientSettings.target(connection) {
    case .api(let server, let token):
        do {
            service = APIJobService(connection: try APIConnection(server: server, token: token))
        } catch {
            throw UsageFailure(message: error.description)
        }
    case .etcd:
        let configuration = try loadConfiguration(connection.given)
        let client = try makeClient(configuration)
        let keys = ReplicaKeys(prefix: configuration.keyPrefix)
        service = EtcdJobService(store: JobStore(client: client, keys: JobKeys(keys)), client: client, keys: keys)
    }
    do throws(JobStoreError) {
        let result = try await body(service)
        await service.close()
        return result
    } catch {
        await service.close()
        throw jobCommandFailure(error, command: command)
    }
}

/// The exit of a failed store operation: 2 for refused input, 1 for everything else.
func jobCommandFailure(_ error: JobStoreError, command: String) -> any Error {
    if error.code == .invalid || error.code == .invalidArgument {
        return UsageFailure(message: "\(command): " + indentedLines(error.message))
    }
    printError("etcron \(command): " + indentedLines(error.message))
    return ExitCode(1)
}

/// A multi-line message with its second and later lines indented.
func indentedLines(_ message: String) -> String {
    message.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n  ")
}

/// A message listing `problems` under a summary line, one per line.
func problemList(_ summary: String, _ problems: [String]) -> String {
    ([summary] + problems).joined(separator: "\n  ")
}

/// The `-o` option shared by the job commands.
struct OutputOption: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")], help: "table, json or yaml.")
    var format: OutputFormat = .table
}

extension Date {
    /// A Unix time in seconds as a date; nil for 0 (unset).
    init?(unixSeconds: Int64) {
        guard unixSeconds != 0 else { return nil }
        self.init(timeIntervalSince1970: TimeInterval(unixSeconds))
    }

    /// A Unix time in milliseconds as a date; nil for 0 (unset).
    init?(unixMilliseconds: Int64) {
        guard unixMilliseconds != 0 else { return nil }
        self.init(timeIntervalSince1970: TimeInterval(unixMilliseconds) / 1000)
    }

    /// RFC 3339 in UTC, for tables.
    var rfc3339: String { formatted(.iso8601) }
}

/// The data output of the job commands. YAML is written by Yams' encoder straight from
/// the Codable value, so integers and booleans keep their types and `etcron get -o yaml`
/// output applies back unchanged; keys are sorted (as in JSON) so output is stable.
/// (`OutputFormat.encode` goes through `JSONSerialization`, whose numbers Yams prints as
/// floats on Linux: `suspend: 1e+0`, which no longer reads as a boolean.)
func encodeJobOutput<T: Encodable>(_ value: T, as format: OutputFormat) throws -> String? {
    try format.encode(value)
}
