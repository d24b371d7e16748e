import ArgumentParser
import EtcronCore
import EtcronProto

/// `etcron quota set TENANT|--default [--max-jobs N] [--max-running-runs N] [--note TEXT]`.
public struct QuotaSetCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Create or change a tenant's quota, or the default.",
        discussion: """
            Limits not given keep their stored value (unlimited for a new quota). 0 or \
            'unlimited' lifts a limit. Prints `quota TENANT created|updated|unchanged` and the \
            limits now in force.
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @OptionGroup var target: QuotaScopeArguments

    @Option(name: .customLong("max-jobs"), parsing: .unconditional, help: "The most jobs the tenant may have (0 or 'unlimited': no limit).")
    var maxJobs: String?

    @Option(
        name: .customLong("max-running-runs"), parsing: .unconditional,
        help: "The most pending or running runs the tenant may have (0 or 'unlimited': no limit).")
    var maxRunningRuns: String?

    @Option(parsing: .unconditional, help: "Why the limits are what they are.")
    var note: String?

    public func validate() throws {
        _ = try target.scope()
        var problems: [String] = []
        for (flag, text) in [("--max-jobs", maxJobs), ("--max-running-runs", maxRunningRuns)] {
            if let text, case .failure(let problem) = Self.limit(text) { problems.append("\(flag): \(problem.message)") }
        }
        if let note, note.count > JobStore.maximumNoteLength {
            problems.append("--note: is \(note.count) characters long; at most \(JobStore.maximumNoteLength) are allowed")
        }
        if maxJobs == nil, maxRunningRuns == nil, note == nil {
            problems.append("quota set: give at least one of --max-jobs, --max-running-runs and --note")
        }
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
    }

    public func run() async throws {
        let scope = try target.scope()
        let maxJobs = try maxJobs.map { try Self.limit($0).get() }
        let maxRunningRuns = try maxRunningRuns.map { try Self.limit($0).get() }
        let result = try await withJobService(connection, command: "quota set") { store throws(JobStoreError) in
            try await store.setQuota(scope, maxJobs: maxJobs, maxRunningRuns: maxRunningRuns, note: note)
        }
        let quota = result.stored.quota
        print("quota \(scope.label) \(result.outcome.rawValue): max jobs \(limitText(quota.maxJobs)), max running runs \(limitText(quota.maxRunningRuns))")
    }

    /// A limit flag's value: a whole number, 0 or more, or `unlimited` (0).
    static func limit(_ text: String) -> Result<Int64, ValidationError> {
        if text == "unlimited" { return .success(0) }
        guard let value = Int64(text) else {
            return .failure(ValidationError("\"\(text)\" is not a whole number (use 0 or 'unlimited' for no limit)"))
        }
        guard value >= 0 else { return .failure(ValidationError("must be 0 (unlimited) or more, not \(value)")) }
        return .success(value)
    }
}

/// A stored limit as printed: the number, or `unlimited` for 0.
func limitText(_ value: Int64) -> String {
    value == 0 ? "unlimited" : String(value)
}
