import EtcdTestHarness
import Foundation

/// The HTTP target of `etcron-bench herd`: Debian's nginx on a loopback port answering
/// every request with 204, its access log holding each request's arrival time (`$msec`)
/// and `Idempotency-Key` header (the run ID etcron sends).
struct HerdTarget: Sendable {
    struct Arrival: Hashable {
        var arrivalMs: Int64
        var key: String
    }

    let process: ManagedProcess
    let url: String
    let log: String

    static func start(in directory: String) async throws -> HerdTarget {
        let nginx = "/usr/sbin/nginx"
        guard FileManager.default.isExecutableFile(atPath: nginx) else {
            throw FailoverError("nginx is not installed (apt-get install nginx-light)")
        }
        let root = directory + "/nginx"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let port = try LoopbackPorts.allocate()
        let log = root + "/access.log"
        let config = """
            worker_processes 1;
            daemon off;
            pid \(root)/nginx.pid;
            error_log \(root)/error.log warn;
            events { worker_connections 8192; }
            http {
                log_format herd '$msec $http_idempotency_key';
                # Only the runs' requests: the ceiling's (no key) would make the log, which
                # the bench reads while the herd runs, hundreds of thousands of lines long.
                map $http_idempotency_key $herd_run { "" 0; default 1; }
                access_log \(log) herd buffer=64k flush=200ms if=$herd_run;
                client_body_temp_path \(root)/body;
                proxy_temp_path \(root)/proxy;
                fastcgi_temp_path \(root)/fastcgi;
                uwsgi_temp_path \(root)/uwsgi;
                scgi_temp_path \(root)/scgi;
                keepalive_requests 100000;
                server {
                    listen 127.0.0.1:\(port) backlog=4096;
                    location / { return 204; }
                }
            }

            """
        try config.write(toFile: root + "/nginx.conf", atomically: true, encoding: .utf8)
        let process = try await ManagedProcess.start(nginx, arguments: ["-c", root + "/nginx.conf", "-e", root + "/error.log"], logFile: root + "/stdout.log")
        let target = HerdTarget(process: process, url: "http://127.0.0.1:\(port)", log: log)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if (try? await HealthProbe.get(port: port, path: "/ready", timeout: .milliseconds(300)))?.status == 204 { return target }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FailoverError("nginx did not answer on port \(port): \(process.tail())")
    }

    /// Stops nginx with its workers: SIGTERM makes the master end them before it exits
    /// (a SIGKILLed master leaves its worker running, holding the port and the CPU it
    /// spends).
    func stop() async {
        try? process.send(.terminate)
        _ = try? await process.waitForExit(timeout: .seconds(5))
        await process.kill()
    }

    /// The CPU time nginx used so far: its master and its worker (the master's child).
    func cpuTime() -> Duration? {
        guard let master = process.pid else { return nil }
        var pids = [master]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After the command name: state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == master { pids.append(pid) }
        }
        return pids.compactMap { ProcessProbe(pid: $0).cpuTime() }.reduce(.zero, +)
    }

    /// How many runs' requests were logged so far (a count of lines: cheap enough to poll
    /// while the herd runs, on the machine it is measured on).
    func received() -> Int {
        guard let data = FileManager.default.contents(atPath: log) else { return 0 }
        return data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    /// The runs' requests received so far (requests without a key, the ceiling's, are not
    /// logged).
    func arrivals() -> [Arrival] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2, fields[1] != "-", let seconds = Double(fields[0]) else { return nil }
            return Arrival(arrivalMs: Int64((seconds * 1000).rounded()), key: String(fields[1]))
        }
    }
}
