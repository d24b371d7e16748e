import EtcdTestHarness
import EtcronCore
import EtcronProto
import EtcronScheduler
import Foundation
import Testing

extension SemanticsProcessTests {
    /// One line a job's child wrote: `start|end runID attempt executorPid unixMs`.
    struct AttemptMark: Equatable {
        var event: String
        var runID: String
        var attempt: Int
        var executor: Int32
        var atMs: Int64

        static func read(_ file: String) -> [AttemptMark] {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count == 5, let attempt = Int(fields[2]), let pid = Int32(fields[3]), let at = Int64(fields[4]) else { return nil }
                return AttemptMark(event: fields[0], runID: fields[1], attempt: attempt, executor: pid, atMs: at)
            }
        }

        /// A script that marks its start and end, sleeps in between and fails. Its parent is
        /// the exec guard, whose parent (field 4 of /proc/<pid>/stat) is the executor.
        static func script(_ file: String, sleep seconds: Int) -> String {
            let mark = #""$ETCRON_RUN_ID $ETCRON_ATTEMPT $(cut -d' ' -f4 /proc/$PPID/stat) $(date +%s%3N)" >> '"# + file + "'"
            return "echo start \(mark); sleep \(seconds); echo end \(mark); exit 1"
        }
    }

    @Test("an executor killed mid-run: the run is retried elsewhere with only the attempts it has left, or ends executor-lost; no attempt starts twice")
    func executorLostMidRun() async throws {
        try await SemanticsHarness.run(replicas: 2) { h in
            let tenant = SemanticsHarness.tenant
            let marks = h.scratch + "/attempts"
            try await h.apply(
                SemanticsHarness.job("retried", "0 0 0 1 1 *", script: AttemptMark.script(marks, sleep: 3)) {
                    $0.retry.maxRetries = 1
                    $0.retry.initialBackoffMs = 100
                },
                SemanticsHarness.job("lost", "0 0 0 1 1 *", script: AttemptMark.script(marks, sleep: 4)))
            // Four manual runs, given round-robin to the two replicas in consecutive slots
            // (in whatever order the leader syncs them): of the three "lost" runs, at least
            // one shares the executor of the "retried" one.
            _ = try await h.store.trigger(tenant: tenant, name: "retried")
            for _ in 0..<3 { _ = try await h.store.trigger(tenant: tenant, name: "lost") }
            let running = try #require(try await h.eventually("four runs to run") { () -> [Etcron_V1_Run]? in
                let runs = try await h.runs("retried") + h.runs("lost")
                let started = Set(AttemptMark.read(marks).map(\.runID))
                return runs.count == 4 && runs.allSatisfy({ $0.state == .running && started.contains($0.runID) }) ? runs : nil
            })
            let retried = try #require(running.first { $0.job == "retried" })
            let victim = h.group.replica(retried.assignedTo)
            let survivor = try #require(h.group.replicas.first { $0.id != victim.id })
            let victimPid = try #require(victim.process.pid)
            let survivorPid = try #require(survivor.process.pid)
            let killedMs = Wall.nowMs
            try victim.process.send(.kill)

            let finished = try #require(try await h.eventually("every run to end", timeout: .seconds(30)) { () -> [Etcron_V1_Run]? in
                let runs = try await h.runs("retried") + h.runs("lost")
                return runs.allSatisfy({ !$0.isActive }) ? runs : nil
            })
            await victim.process.kill()
            // A target that outlived its executor would mark its end at most 4 s after the kill.
            let settle = killedMs + 5_000 - Wall.nowMs
            if settle > 0 { try await Task.sleep(for: .milliseconds(settle)) }
            let byID = Dictionary(uniqueKeysWithValues: finished.map { ($0.runID, $0) })
            let all = AttemptMark.read(marks)
            print("killed \(victim.id) (pid \(victimPid)) at \(killedMs % 100_000); marks: \(all.map { "\($0.event) \($0.runID.prefix(16)) #\($0.attempt) pid \($0.executor) \($0.atMs % 100_000)" })")
            let starts = all.filter { $0.event == "start" }
            #expect(Set(starts.map { "\($0.runID)#\($0.attempt)" }).count == starts.count, "an attempt started twice")

            // The retried run: attempt 1 on the victim, attempt 2 (its last) on the survivor.
            let run = try #require(byID[retried.runID])
            #expect(run.state == .failed, "\(run.state): \(run.message)")
            #expect(run.attempts == 2)
            #expect(run.message.contains("exit status 1"), "\(run.message)")
            let attempts = starts.filter { $0.runID == retried.runID }
            #expect(attempts.map(\.attempt) == [1, 2])
            #expect(attempts.map(\.executor) == [victimPid, survivorPid])
            #expect((attempts.last?.atMs ?? 0) > killedMs)

            // The "lost" runs: the one on the victim ended executor-lost (no retries), the
            // other failed normally.
            let lost = running.filter { $0.job == "lost" }
            #expect(lost.contains { $0.assignedTo == victim.id })
            for started in lost {
                let ended = try #require(byID[started.runID])
                if started.assignedTo == victim.id {
                    #expect(ended.state == .executorLost, "\(ended.state): \(ended.message)")
                    #expect(ended.attempts == 1 && ended.message.contains(victim.id))
                } else {
                    #expect(ended.state == .failed && ended.attempts == 1, "\(ended.state): \(ended.message)")
                }
            }
            // Nothing the lost executor started should run on after it died: no attempt begun
            // under it ends (an orphan's end mark names its new parent, not the executor, so
            // attempts are matched by run and number), and nothing marks its pid after the kill.
            let victimAttempts = Set(starts.filter { $0.executor == victimPid }.map { "\($0.runID)#\($0.attempt)" })
            #expect(!victimAttempts.isEmpty)
            let afterDeath = all.filter {
                ($0.executor == victimPid && $0.atMs > killedMs) || ($0.event == "end" && victimAttempts.contains("\($0.runID)#\($0.attempt)"))
            }
            #expect(afterDeath.isEmpty, "the killed executor's children ran on: \(afterDeath.map { "\($0.event) \($0.runID) #\($0.attempt) at \($0.atMs)" })")
        }
    }
}
