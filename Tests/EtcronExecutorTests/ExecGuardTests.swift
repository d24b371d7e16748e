import EtcdTestHarness
import EtcronCore
import Foundation
import Testing

@testable import EtcronExecutor

#if canImport(Glibc)
import Glibc
#endif

/// Exec targets started through `etcron-exec-guard` (as a replica's executor starts them)
/// end, time out and stop exactly as when started directly. (What the guard is for, that a
/// SIGKILLed executor's targets die with it, is proven with real replicas in
/// `SemanticsExecutorTests`.)
@Suite("ExecRunner through the exec guard")
struct ExecGuardTests {
    let settings: TargetRunnerSettings

    init() throws {
        let etcron = try EtcronExecutable.locate()
        let guardProgram = URL(fileURLWithPath: etcron).deletingLastPathComponent().appendingPathComponent(ExecGuard.executableName).path
        settings = TargetRunnerSettings(execGuard: ExecGuard.Launcher(executable: guardProgram))
    }

    @Test("exit statuses and output come through; the child's parent is the guard")
    func exitAndOutput() async {
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.sh("echo parent $(cut -d' ' -f2 /proc/$PPID/stat); exit 3")), settings: settings
        ).run()
        #expect(outcome.result == .failed)
        #expect(outcome.exitCode == 3 && outcome.signal == nil)
        #expect(outcome.message == "exit status 3")
        #expect(RunnerFixtures.text(outcome) == "parent (etcron-exec-gua)\n", "comm keeps 15 characters")
    }

    @Test("a timeout SIGTERMs the target and the guard reports the same signal; a handled SIGTERM keeps its status")
    func timeouts() async {
        let killed = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.sh("sleep 30"), timeout: .milliseconds(300)), settings: settings
        ).run()
        #expect(killed.result == .timedOut)
        #expect(killed.signal == SIGTERM)
        #expect(killed.message == "killed by SIGTERM after the 300 ms timeout")
        let handled = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.sh("trap 'exit 7' TERM; sleep 30 & wait"), timeout: .milliseconds(300)),
            settings: settings
        ).run()
        #expect(handled.result == .timedOut)
        #expect(handled.exitCode == 7)
        #expect(handled.message == "timed out after 300 ms; exit status 7 after SIGTERM")
    }

    @Test("a target that ignores SIGTERM is SIGKILLed after the grace, guard and all")
    func ignoredTerm() async {
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.sh("trap '' TERM; sleep 30; sleep 30"), timeout: .milliseconds(200), grace: .milliseconds(400)),
            settings: settings
        ).run()
        #expect(outcome.result == .timedOut)
        #expect(outcome.signal == SIGKILL)
    }

    @Test("many runs at once through the one guard: each gets its own output and status")
    func concurrentRuns() async {
        let outcomes = await withTaskGroup(of: (Int, RunOutcome).self) { group in
            for index in 0..<100 {
                group.addTask {
                    (index, await TargetRunner(RunnerFixtures.request(RunnerFixtures.sh("echo run $1; exit $(($1 % 3))", String(index))), settings: settings).run())
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 100)
        for (index, outcome) in outcomes {
            #expect(RunnerFixtures.text(outcome) == "run \(index)\n", "\(outcome.message)")
            #expect(outcome.exitCode == Int32(index % 3))
        }
    }

    @Test("a command line of a megabyte goes through whole")
    func largeCommandLine() async {
        let argument = String(repeating: "x", count: 16 * 1024)
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.exec("/bin/sh", ["-c", "echo $# ${#1} ${#64}", "sh"] + Array(repeating: argument, count: 64))),
            settings: settings
        ).run()
        #expect(outcome.result == .succeeded)
        #expect(RunnerFixtures.text(outcome) == "64 16384 16384\n")
    }

    @Test("a command the guard cannot start fails with the reason, as without the guard")
    func cannotStart() async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let program = directory + "/not-a-program"
        #expect(FileManager.default.createFile(atPath: program, contents: Data("\u{7F}ELF garbage".utf8), attributes: [.posixPermissions: 0o755]))
        for settings in [settings, TargetRunnerSettings()] {
            let outcome = await TargetRunner(RunnerFixtures.request(RunnerFixtures.exec(program)), settings: settings).run()
            #expect(outcome.result == .failed)
            #expect(outcome.message == "cannot start command \"\(program)\": Exec format error (posix_spawn)")
        }
    }

    @Test("a target starts with no signal ignored or blocked, whatever the guard ignores and blocks")
    func cleanSignals() async throws {
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.exec("/bin/grep", ["-E", "^Sig(Blk|Ign)", "/proc/self/status"])), settings: settings
        ).run()
        #expect(outcome.result == .succeeded, "\(outcome.message)")
        let masks = Dictionary(uniqueKeysWithValues: RunnerFixtures.text(outcome).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t")
            return fields.count == 2 ? (String(fields[0]), UInt64(fields[1], radix: 16)) : nil
        })
        #expect(masks["SigBlk:"] == 0)
        // glibc's posix_spawn leaves its two internal signals (32 and 33) ignored in every
        // child, with or without the guard; glibc programs install their own handlers.
        let ignored = try #require(masks["SigIgn:"] ?? nil)
        #expect(ignored & ~UInt64(0x1_8000_0000) == 0, "ignored: \(String(ignored, radix: 16))")
    }
}
