import ArgumentParser
import EtcronCore
import EtcronProto
import Foundation

/// `etcron trigger TENANT/NAME [--note TEXT] [--wait]`: asks the leader to run the job now.
public struct TriggerCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Run a job now (a manual run; it counts for the concurrency policy).",
        discussion: """
            Prints the run's ID; `etcron runs TENANT/NAME` shows the run once the leader has created it. With --wait, \
            follows the run and exits with its result: 0 when it succeeded, 1 otherwise (with the output tail).
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @Argument(help: ArgumentHelp("The job.", valueName: "tenant/name"))
    var job: String

    @Option(help: "Why the job is run by hand; kept with the run.")
    var note: String = ""

    @Flag(help: "Follow the run until it ends; exit 0 if it succeeded, 1 if not (printing its output tail).")
    var wait = false

    @Option(help: "With --wait: give up after this many seconds (exit 1).")
    var timeout: Int = 3600

    public func validate() throws {
        _ = try jobID(job)
        guard note.count <= JobStore.maximumNoteLength else {
            throw ValidationError("--note: is \(note.count) characters long; at most \(JobStore.maximumNoteLength) are allowed")
        }
        guard (1...86_400 * 7).contains(timeout) else { throw ValidationError("--timeout: must be from 1 to 604800 seconds, not \(timeout)") }
    }

    public func run() async throws {
        let id = try jobID(job)
        let (runID, run) = try await withJobService(connection, command: "trigger") { store throws(JobStoreError) in
            let runID = try await store.trigger(tenant: id.tenant, name: id.name, note: note)
            print("\(id) triggered (run \(runID))")
            guard wait else { return (runID, Etcron_V1_Run?.none) }
            return (runID, try await follow(store, id, runID))
        }
        guard wait else { return }
        guard let run else {
            printError("etcron trigger: run \(runID) did not end within \(timeout) s")
            throw ExitCode(1)
        }
        let view = RunView(run)
        print("run \(runID) \(view.state) after \(view.attempts) attempt\(view.attempts == 1 ? "" : "s")\(run.message.isEmpty ? "" : ": \(run.message)")")
        guard run.state == .succeeded else {
            if !run.output.isEmpty {
                printError("--- output tail ---\n" + String(decoding: run.output, as: UTF8.self))
            }
            throw ExitCode(1)
        }
    }

    /// The run once it has ended; nil when `timeout` passes first. Polls twice a second.
    private func follow(_ store: any JobService, _ id: JobID, _ runID: String) async throws(JobStoreError) -> Etcron_V1_Run? {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var announced = false
        while ContinuousClock.now < deadline {
            if let run = try await store.runs(tenant: id.tenant, name: id.name, ids: [runID])[runID] {
                if run.finishedAtUnixMs != 0 { return run }
                if run.state == .running, !announced {
                    printError("running on \(run.assignedTo)")
                    announced = true
                }
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return nil
    }
}
