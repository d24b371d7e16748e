import ArgumentParser
import EtcronCore
import EtcronProto
import Foundation

/// `etcron get [TENANT[/NAME]]`: lists jobs, or prints one; `-o yaml` prints manifests
/// that `etcron apply -f` takes back unchanged.
public struct GetCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "List jobs (all, one tenant's, or one job).",
        discussion: """
            -o yaml and -o json print job manifests: one job as a document, several as a \
            list; both can be applied again with `etcron apply -f`. Records that cannot be \
            decoded are skipped with a warning on standard error.
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @Argument(help: ArgumentHelp("A tenant, or one job; every job when absent.", valueName: "tenant[/name]"))
    var selector: String?

    @OptionGroup var output: OutputOption

    public func validate() throws {
        guard let selector else { return }
        if selector.contains("/") {
            _ = try jobID(selector, argument: "TENANT[/NAME]")
        } else if let reason = JobName.refusal(of: selector) {
            throw ValidationError("TENANT[/NAME]: tenant \(reason)")
        }
    }

    public func run() async throws {
        if let selector, selector.contains("/") {
            let id = try jobID(selector, argument: "TENANT[/NAME]")
            let job = try await withJobService(connection, command: "get") { store throws(JobStoreError) in
                try await store.get(tenant: id.tenant, name: id.name)
            }
            guard let job else {
                printError("etcron get: job \(id) not found")
                throw ExitCode(1)
            }
            if let encoded = try encodeJobOutput(JobManifest(job.spec), as: output.format) {
                print(encoded)
            } else {
                print(render([job]))
            }
            return
        }
        let list = try await withJobService(connection, command: "get") { store throws(JobStoreError) in
            try await store.list(tenant: selector)
        }
        for record in list.corrupt {
            printError("warning: skipped a corrupt job record: \(record)")
        }
        if let encoded = try encodeJobOutput(list.jobs.map { JobManifest($0.spec) }, as: output.format) {
            print(encoded)
        } else if list.jobs.isEmpty {
            printError(selector.map { "no jobs in tenant \($0)" } ?? "no jobs")
        } else {
            print(render(list.jobs))
        }
    }

    private func render(_ jobs: [StoredJob]) -> String {
        table(
            ["TENANT", "NAME", "SCHEDULE", "TZ", "SUSPEND", "POLICY", "TARGET"],
            jobs.map { job in
                let spec = job.spec
                return [
                    job.id.tenant, job.id.name, spec.schedule, spec.timeZone.isEmpty ? "UTC" : spec.timeZone,
                    String(spec.suspend), (JobManifest(spec).concurrencyPolicy ?? .allow).rawValue, targetSummary(spec.target),
                ]
            })
    }
}

/// `exec /usr/bin/backup --all` or `http POST https://example.com/hook`.
func targetSummary(_ target: Etcron_V1_Target) -> String {
    switch target.kind {
    case .exec(let exec): return (["exec", exec.command] + exec.args).joined(separator: " ")
    case .http(let http): return "http \(http.method.isEmpty ? "GET" : http.method) \(http.url)"
    case nil: return "-"
    }
}
