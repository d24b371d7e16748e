import EtcdTestHarness
import Foundation
import Testing

@Suite("ManagedProcess")
struct ManagedProcessTests {
    @Test("SIGSTOP freezes, SIGCONT resumes and SIGTERM ends a sleep process, reporting the signal")
    func stopContinueTerminate() async throws {
        let directory = try TestSupport.makeScratchDirectory()
        defer { TestSupport.removeScratchDirectory(directory) }
        let process = try await ManagedProcess.start("sleep", arguments: ["30"], logFile: "\(directory)/sleep.log")
        let pid = try #require(process.pid)
        #expect(process.isRunning)
        #expect(TestSupport.isAlive(pid))

        try process.send(.stop)
        #expect(try await TestSupport.eventually { process.isStopped })
        #expect(process.isRunning)

        try process.send(.continue)
        #expect(try await TestSupport.eventually { !process.isStopped })

        try process.send(.terminate)
        let status = try await process.waitForExit(timeout: .seconds(5))
        #expect(status == .signaled(.terminate))
        #expect(status.description == "killed by SIGTERM (15)")
        #expect(!process.isRunning)
        #expect(process.exitStatus == .signaled(.terminate))
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "reaped, not a zombie")
        #expect(throws: HarnessError.self) { try process.send(.kill) }
    }

    @Test("Exit code, stdout and stderr land in the log, with environment and working directory")
    func exitCodeAndLog() async throws {
        let directory = try TestSupport.makeScratchDirectory()
        defer { TestSupport.removeScratchDirectory(directory) }
        let process = try await ManagedProcess.start(
            "sh", arguments: ["-c", "echo \"out $GREETING\"; pwd; echo 'to stderr' >&2; exit 3"],
            environment: ["GREETING": "hello"], workingDirectory: directory, logFile: "\(directory)/sh.log"
        )
        let status = try await process.waitForExit(timeout: .seconds(5))
        #expect(status == .exited(code: 3))
        let tail = process.tail(lines: 10)
        #expect(tail.contains("out hello"))
        #expect(tail.contains("to stderr"))
        #expect(tail.contains(directory))
        #expect(process.tail(lines: 1) == "to stderr")
    }

    @Test("waitForExit times out on a process that keeps running, and SIGKILL is reported")
    func timeoutThenKill() async throws {
        let directory = try TestSupport.makeScratchDirectory()
        defer { TestSupport.removeScratchDirectory(directory) }
        let process = try await ManagedProcess.start("sleep", arguments: ["30"], logFile: "\(directory)/sleep.log")
        let error = await #expect(throws: HarnessError.self) {
            try await process.waitForExit(timeout: .milliseconds(50))
        }
        #expect(error?.code == .timedOut)
        try process.send(.kill)
        #expect(try await process.waitForExit() == .signaled(.kill))
    }

    @Test("restart runs the same command again under a new pid")
    func restart() async throws {
        let directory = try TestSupport.makeScratchDirectory()
        defer { TestSupport.removeScratchDirectory(directory) }
        let process = try await ManagedProcess.start("sleep", arguments: ["30"], logFile: "\(directory)/sleep.log")
        let first = try #require(process.pid)
        try await process.restart()
        let second = try #require(process.pid)
        #expect(first != second)
        #expect(!TestSupport.isAlive(first))
        #expect(TestSupport.isAlive(second))
        #expect(process.command.arguments == ["30"])
        await process.kill()
        #expect(!process.isRunning)
    }

    @Test("A missing program is reported by name")
    func missingProgram() async throws {
        let error = await #expect(throws: HarnessError.self) {
            _ = try await ManagedProcess.start("etcron-no-such-program", logFile: "/dev/null")
        }
        #expect(error?.code == .executableNotFound)
        #expect(error?.message == "etcron-no-such-program not found on PATH")
    }

    #if os(Linux)
    @Test("setpriv --pdeathsig KILL: a child dies when its parent is SIGKILLed")
    func parentDeathSignal() async throws {
        let directory = try TestSupport.makeScratchDirectory()
        defer { TestSupport.removeScratchDirectory(directory) }
        // The shell plays the test process: it starts a grandchild the way the harness
        // starts etcd, then gets SIGKILLed.
        let pidFile = "\(directory)/child.pid"
        let parent = try await ManagedProcess.start(
            "sh", arguments: ["-c", "setpriv --pdeathsig KILL -- sleep 60 & echo $! > \(pidFile); wait"],
            logFile: "\(directory)/sh.log"
        )
        #expect(try await TestSupport.eventually { ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").hasSuffix("\n") })
        let child = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // setpriv sets the death signal, then execs: wait for the exec, or the parent
        // could die before the signal is armed.
        #expect(try await TestSupport.eventually {
            (try? String(contentsOfFile: "/proc/\(child)/comm", encoding: .utf8)) == "sleep\n"
        })
        #expect(TestSupport.isAlive(child))
        try parent.send(.kill)
        try await parent.waitForExit()
        #expect(try await TestSupport.eventually(timeout: .seconds(2)) { !TestSupport.isAlive(child) })
    }
    #endif
}
