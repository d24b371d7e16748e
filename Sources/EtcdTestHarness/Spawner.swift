import Dispatch
import Foundation
import SpawnSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What to start and where its standard streams go.
struct SpawnRequest: Sendable {
    /// Absolute path of the program.
    var executable: String
    /// Arguments after argv[0].
    var arguments: [String]
    /// The complete environment of the child.
    var environment: [String: String]
    /// Directory to start in; nil keeps the current one.
    var workingDirectory: String?
    /// File read as standard input.
    var standardInput = "/dev/null"
    /// File that standard output is appended to (created if missing).
    var standardOutput: String
    /// File that standard error is appended to; nil shares `standardOutput`.
    var standardError: String?
    /// Kill the child with SIGKILL when the harness's spawn thread dies (Linux only).
    var dieWithParent = true
}

/// Starts processes with `posix_spawn` from one long-lived thread.
///
/// On Linux each child runs under `setpriv --pdeathsig KILL`, so the kernel SIGKILLs it
/// when its parent dies, even when the test process itself is SIGKILLed. The kernel ties
/// the parent-death signal to the *thread* that forked, not the process, so spawning
/// from a pool thread that may later exit would kill children early: every spawn runs
/// on `SpawnThread`, which lives as long as the process.
enum Spawner {
    /// Starts the request and registers the child in `ProcessRegistry`.
    static func spawn(_ request: SpawnRequest) async throws -> pid_t {
        try await SpawnThread.shared.perform { try spawnNow(request) }
    }

    /// `setpriv` from util-linux, when it is installed and not disabled with the
    /// environment variable `ETCRON_HARNESS_NO_PDEATHSIG=1`.
    static let setprivPath: String? = {
        #if os(Linux)
        if ProcessInfo.processInfo.environment["ETCRON_HARNESS_NO_PDEATHSIG"] == "1" { return nil }
        return ExecutableLookup.find("setpriv", searchPath: "/usr/bin:/bin:/usr/sbin:/sbin")
        #else
        return nil
        #endif
    }()

    private static func spawnNow(_ request: SpawnRequest) throws -> pid_t {
        var path = request.executable
        var argv = [request.executable] + request.arguments
        if request.dieWithParent, let setpriv = setprivPath {
            path = setpriv
            argv = [setpriv, "--pdeathsig", "KILL", "--", request.executable] + request.arguments
        }
        let environment = request.environment.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let appendFlags = O_WRONLY | O_CREAT | O_APPEND
        posix_spawn_file_actions_addopen(&actions, 0, request.standardInput, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, request.standardOutput, appendFlags, 0o644)
        if let standardError = request.standardError {
            posix_spawn_file_actions_addopen(&actions, 2, standardError, appendFlags, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // The test runner may hold pipes without FD_CLOEXEC; a child inheriting a write end
        // would keep the reader waiting for EOF.
        GlibcExtensions.closeFrom(&actions, 3)
        if let directory = request.workingDirectory {
            _ = directory.withCString { GlibcExtensions.changeDirectory(&actions, $0) }
        }

        // Start from a clean slate: ignored or blocked signals are inherited across exec,
        // and a child that ignores SIGTERM would make signal tests meaningless.
        let pid: pid_t
        switch CleanSpawn.spawn(path: path, argv: argv, environment: environment, actions: &actions, newProcessGroup: false) {
        case .success(let spawned):
            pid = spawned
        case .failure(let error):
            throw HarnessError(.spawnFailed, "posix_spawn \(request.executable) failed: \(String(cString: strerror(error.number)))")
        }
        ProcessRegistry.register(pid)
        return pid
    }
}

/// The one thread every child is spawned from; see `Spawner` for why it must not exit.
private final class SpawnThread: Sendable {
    static let shared = SpawnThread()

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let wakeUp = DispatchSemaphore(value: 0)

    private init() {
        // A plain pthread rather than Foundation.Thread: it must never exit, and it should
        // carry a name that shows up in /proc/<pid>/task/*/comm.
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let spawnThread = Unmanaged<SpawnThread>.fromOpaque(context!).takeRetainedValue()
            _ = GlibcExtensions.setThreadName?(pthread_self(), "etcron-spawn")
            spawnThread.serveForever()
        }, context)
        precondition(result == 0, "cannot create the harness spawn thread: \(String(cString: strerror(result)))")
        pthread_detach(thread)
    }

    private func serveForever() -> Never {
        while true {
            wakeUp.wait()
            let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            job?()
        }
    }

    /// Runs `body` on the spawn thread and returns its result.
    func perform<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            jobs.withLock { $0.append { continuation.resume(with: Result { try body() }) } }
            wakeUp.signal()
        }
    }
}
