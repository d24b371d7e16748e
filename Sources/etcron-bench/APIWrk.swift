import Foundation

/// One load run of `wrk` (Debian's package) against a URL: 2 threads, `connections`
/// keep-alive connections, for `seconds`, with a bearer token; its requests per second
/// and latency percentiles as it reports them (`--latency`).
struct APIWrk {
    struct Result {
        var requestsPerSecond: Double
        var p50: Duration
        var p99: Duration
        var non2xx: Int
        var requests: Int
    }

    let executable: String

    /// `wrk` on the PATH.
    static func locate() throws -> APIWrk {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/wrk"
            if FileManager.default.isExecutableFile(atPath: path) { return APIWrk(executable: path) }
        }
        throw FailoverError("wrk is not installed (apt-get install wrk)")
    }

    func run(_ url: String, token: String, connections: Int, seconds: Int) throws -> Result {
        try run(url, header: "Authorization: Bearer \(token)", connections: connections, seconds: seconds)
    }

    /// Loads `url` with `header` (a bearer token, or the dashboard's session cookie).
    func run(_ url: String, header: String, connections: Int, seconds: Int) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "-t", "2", "-c", String(connections), "-d", "\(seconds)s", "--latency", "--timeout", "5s",
            "-H", header, url,
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let result = Self.parse(text) else {
            throw FailoverError("wrk failed (\(process.terminationStatus)): \(text)")
        }
        return result
    }

    /// The figures of wrk's report.
    static func parse(_ text: String) -> Result? {
        var rate: Double?
        var p50: Duration?
        var p99: Duration?
        var non2xx = 0
        var requests = 0
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if line.hasPrefix("Requests/sec:"), fields.count >= 2 { rate = Double(fields[1]) }
            if line.hasPrefix("50%"), fields.count >= 2 { p50 = duration(fields[1]) }
            if line.hasPrefix("99%"), fields.count >= 2 { p99 = duration(fields[1]) }
            if line.hasPrefix("Non-2xx or 3xx responses:"), let last = fields.last { non2xx = Int(last) ?? 0 }
            if line.contains("requests in"), let first = fields.first { requests = Int(first) ?? 0 }
        }
        guard let rate, let p50, let p99 else { return nil }
        return Result(requestsPerSecond: rate, p50: p50, p99: p99, non2xx: non2xx, requests: requests)
    }

    /// `1.23ms`, `450.00us`, `2.01s` as a duration.
    static func duration(_ text: String) -> Duration? {
        for (suffix, scale) in [("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0)] where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)) else { return nil }
            return .nanoseconds(Int64(value * scale * 1e9))
        }
        return nil
    }
}
