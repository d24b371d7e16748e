import EtcdTestHarness
import EtcronProto
import Foundation
import Synchronization

@testable import EtcronExecutor
import EtcronCore

/// Builders and helpers shared by the target-runner tests.
enum RunnerFixtures {
    /// A fixed scheduled time: 2025-01-31T12:00:00Z.
    static let scheduledUnix: Int64 = 1_738_324_800

    /// An exec target.
    static func exec(
        _ command: String, _ args: [String] = [], env: [String: String] = [:], workingDirectory: String = ""
    ) -> Etcron_V1_Target {
        var exec = Etcron_V1_ExecTarget()
        exec.command = command
        exec.args = args
        exec.env = env
        exec.workingDirectory = workingDirectory
        var target = Etcron_V1_Target()
        target.kind = .exec(exec)
        return target
    }

    /// `/bin/sh -c script sh args...`: `$1`... in the script are `args`.
    static func sh(_ script: String, _ args: String...) -> Etcron_V1_Target {
        exec("/bin/sh", ["-c", script, "sh"] + args)
    }

    /// An http target.
    static func http(
        _ url: String, method: String = "", headers: [String: String] = [:], body: String = "", expected: [Int32] = []
    ) -> Etcron_V1_Target {
        var http = Etcron_V1_HttpTarget()
        http.url = url
        http.method = method
        http.headers = headers
        http.body = Data(body.utf8)
        http.expectedStatus = expected
        var target = Etcron_V1_Target()
        target.kind = .http(http)
        return target
    }

    /// A request for `target` with quick retries and a short stop grace.
    static func request(
        _ target: Etcron_V1_Target,
        runID: String = "run-\(UUID().uuidString.prefix(8))",
        retries: Int32 = 0,
        initialBackoffMs: Int64 = 10,
        maxBackoffMs: Int64 = 0,
        timeout: Duration? = nil,
        grace: Duration = .seconds(2)
    ) -> RunRequest {
        var retry = Etcron_V1_RetryPolicy()
        retry.maxRetries = retries
        retry.initialBackoffMs = initialBackoffMs
        retry.maxBackoffMs = maxBackoffMs
        return RunRequest(
            runID: runID, tenant: "team-a", job: "nightly-report", scheduledUnix: scheduledUnix,
            target: target, retry: retry, attemptTimeout: timeout, stopGrace: grace
        )
    }

    /// A fresh scratch directory (resolved through symlinks); the caller removes it.
    static func scratchDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("etcron-runner-tests-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    /// The output as text.
    static func text(_ outcome: RunOutcome) -> String {
        String(decoding: outcome.output, as: UTF8.self)
    }

    /// Whether `pid` names a live (not zombie) process, read from /proc.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    static func eventually(timeout: Duration = .seconds(3), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// Reads a pid a child wrote to `file`, waiting for it to appear.
    static func pid(in file: String) async throws -> Int32? {
        var pid: Int32?
        _ = try await eventually {
            pid = (try? String(contentsOfFile: file, encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        return pid
    }
}

/// Records what the runner's hooks were called with.
final class HookRecorder: Sendable {
    private let started = Mutex<[Date]>([])
    private let attempts = Mutex<[AttemptReport]>([])

    /// The `onStarted` hook.
    var onStarted: @Sendable (Date) async -> Void {
        { date in self.started.withLock { $0.append(date) } }
    }

    /// The `onAttempt` hook.
    var onAttempt: @Sendable (AttemptReport) async -> Void {
        { report in self.attempts.withLock { $0.append(report) } }
    }

    var startedDates: [Date] { started.withLock { $0 } }
    var reports: [AttemptReport] { attempts.withLock { $0 } }

    /// Waits until `onStarted` was called.
    func waitUntilStarted() async throws -> Bool {
        try await RunnerFixtures.eventually(timeout: .seconds(5)) { !startedDates.isEmpty }
    }
}

/// A small HTTP server (Python's http.server on loopback) started once for all HTTP tests.
///
/// Paths: `/status/<code>` answers with that status, `/slow/<seconds>` waits first,
/// `/big/<bytes>` sends a body of that size, `/trickle/<seconds>` sends half of its body
/// and the rest after that pause, `/redirect[<code>]/<url>` redirects (302 by default). Every answer's body echoes the method, the Idempotency-Key,
/// X-Etcron-Scheduled-Time, X-Etcron-Attempt, X-Custom, the Host, the client's port (one
/// per connection), the request body and how many requests carried the same
/// Idempotency-Key so far.
actor HTTPTestServer {
    static let shared = HTTPTestServer()

    /// The one start (the actor is reentrant: concurrent first callers share it).
    private var starting: Task<(url: String, process: ManagedProcess), any Error>?

    static let script = #"""
    import http.server, sys, threading, time, os, urllib.parse

    hits = {}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            key = self.headers.get("Idempotency-Key", "")
            with lock:
                hits[key] = hits.get(key, 0) + 1
                count = hits[key]
            parts = self.path.split("?")[0].strip("/").split("/")
            status, extra, location = 200, b"", None
            if parts[0].startswith("redirect"):
                status, location = int(parts[0][8:] or 302), urllib.parse.unquote(parts[1])
            elif parts[0] == "status":
                status = int(parts[1])
            elif parts[0] == "slow":
                time.sleep(float(parts[1]))
            elif parts[0] == "big":
                extra = b"x" * int(parts[1])
            elif parts[0] == "trickle":
                # Half a body, then a pause of that many seconds before the rest.
                self.send_response(200)
                self.send_header("Content-Length", "8")
                self.end_headers()
                self.wfile.write(b"half")
                self.wfile.flush()
                time.sleep(float(parts[1]))
                self.wfile.write(b"rest")
                return
            text = "method=%s\nidempotency-key=%s\nscheduled=%s\nattempt=%s\nx-custom=%s\nhits=%d\nhost=%s\nconnection=%d\nbody=%s\n" % (
                self.command, key, self.headers.get("X-Etcron-Scheduled-Time", ""),
                self.headers.get("X-Etcron-Attempt", ""), self.headers.get("X-Custom", ""),
                count, self.headers.get("Host", ""), self.client_address[1], body.decode("utf-8", "replace"))
            # 204 and 304 answers have no body (a client reading one on would misparse the next).
            out = b"" if status in (204, 304) else extra + text.encode()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PUT = do_DELETE = answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()
    """#

    /// `http://127.0.0.1:<port>`, starting the server on first use.
    func url() async throws -> String {
        if starting == nil {
            starting = Task { try await Self.start() }
        }
        return try await starting!.value.url
    }

    private static func start() async throws -> (url: String, process: ManagedProcess) {
        let directory = try RunnerFixtures.scratchDirectory()
        let scriptPath = directory + "/server.py"
        let portFile = directory + "/port"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let process = try await ManagedProcess.start(
            "python3", arguments: [scriptPath, portFile], logFile: directory + "/server.log"
        )
        var port: String?
        let ready = try await RunnerFixtures.eventually(timeout: .seconds(10)) {
            port = try? String(contentsOfFile: portFile, encoding: .utf8)
            return port != nil
        }
        guard ready, let port else {
            throw ServerError(message: "the test HTTP server did not start: \(process.tail())")
        }
        return ("http://127.0.0.1:\(port)", process)
    }

    struct ServerError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
