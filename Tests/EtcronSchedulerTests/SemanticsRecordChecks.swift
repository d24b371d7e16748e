import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import EtcronScheduler
import Foundation
import SwiftProtobuf
import Testing

/// Checks of the lifecycle test that concern what a replica must survive (corrupt
/// records) and what runs carry (their identity in the environment, history limits).
extension SemanticsProcessTests {
    /// Records written behind the API's back, which the leader must report, not choke on.
    static func putCorruptRecords(_ h: SemanticsHarness) async throws {
        let tenant = SemanticsHarness.tenant
        try await h.client.put(h.keys.spec(tenant, "corrupt-bytes"), value: Data("\u{07}not a protobuf".utf8))
        let badSchedule = SemanticsHarness.job("corrupt-schedule", "61 * * * * *")
        try await h.client.put(h.keys.spec(tenant, "corrupt-schedule"), value: try badSchedule.serializedData())
        let elsewhere = SemanticsHarness.job("someone-else", "* * * * * *")
        try await h.client.put(h.keys.spec(tenant, "corrupt-name"), value: try elsewhere.serializedData())
    }

    /// Each corrupt record got one `error` decision naming the problem; the replica leads on.
    func checkCorruptRecords(_ h: SemanticsHarness) async throws {
        for (name, says) in [("corrupt-schedule", "schedule"), ("corrupt-name", "stored under")] {
            let decisions = try await h.decisions(name)
            #expect(decisions.count == 1, "\(name): \(decisions.map(\.summary))")
            #expect(decisions.allSatisfy { $0.reason == .error && $0.count == 0 && $0.message.contains(says) }, "\(decisions.map(\.message))")
        }
        let undecodable = try await h.decisions("corrupt-bytes")
        #expect(undecodable.count == 1 && undecodable.contains { $0.reason == .error && $0.message.contains("decoded") }, "\(undecodable.map(\.summary))")
        let replica = h.group.replicas[0]
        #expect(replica.process.isRunning)
        #expect(await replica.role() == "leader")
    }

    /// A shell script that appends the run's identity, from etcron's variables, to `file`.
    static func envScript(_ file: String) -> String {
        #"printf '%s|%s|%s|%s|%s\n' "$ETCRON_RUN_ID" "$ETCRON_JOB" "$ETCRON_TENANT" "$ETCRON_SCHEDULED_TIME" "$ETCRON_ATTEMPT" >> '"# + file + "'"
    }

    /// Every run got its own identity in the environment, exactly once; only the last
    /// succeeded runs are kept.
    func checkEnvironmentAndHistory(_ h: SemanticsHarness, created: Int64, end: Int64, envFile: String) async throws {
        try await h.audit("steady", "* * * * * *", after: created, through: end)
        let invokes = try await h.decisions("steady").filter { $0.kind == .invoke && $0.scheduledUnix <= end - 1 }
        let lines = try String(contentsOfFile: envFile, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
        let byRun = Dictionary(grouping: lines) { $0.first ?? "" }
        #expect(invokes.count >= 6)
        for decision in invokes {
            let seen = byRun[decision.runID] ?? []
            #expect(seen.count == 1, "\(decision.runID) ran \(seen.count) times")
            let scheduled = Date(timeIntervalSince1970: TimeInterval(decision.scheduledUnix)).formatted(.iso8601)
            #expect(seen.first == [decision.runID, "steady", SemanticsHarness.tenant, scheduled, "1"], "\(seen)")
        }
        let trimmed = try await h.eventually("history to be trimmed to 3 succeeded runs") {
            let runs = try await h.runs("steady")
            return runs.contains(where: \.isActive) || runs.filter({ $0.state == .succeeded }).count != 3 ? nil : runs
        }
        let kept = (trimmed ?? []).map(\.scheduledUnix).sorted()
        let latest = try await h.decisions("steady").filter { $0.kind == .invoke }.map(\.scheduledUnix).sorted().suffix(3)
        #expect(kept == Array(latest), "the newest runs are kept")
    }
}
