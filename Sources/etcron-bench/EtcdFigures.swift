import Foundation

/// Where `etcron-bench etcd` writes: figures to the process's real standard output, one
/// `name: value unit` line each, and progress to standard error.
///
/// Creating it moves file descriptor 1 onto standard error and keeps a private duplicate
/// of the real standard output for figures. The etcd harness and client log through
/// swift-log, whose default handler writes to standard output; this way a stray warning
/// (a port retry, a slow start) cannot end up among the figures, which scripts parse.
struct EtcdFigures: Sendable {
    private let descriptor: Int32
    private let label: String

    /// Figures of the `label` benchmark (named in progress lines).
    init(label: String = "etcd") {
        self.label = label
        fflush(nil)  // every C stream, so nothing buffered for fd 1 lands on stderr later
        let copy = dup(STDOUT_FILENO)
        if copy >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 {
            descriptor = copy
        } else {
            descriptor = STDOUT_FILENO
        }
    }

    /// Prints `name: value unit`.
    func figure(_ name: String, _ value: String, _ unit: String) {
        let line = Array("\(name): \(value) \(unit)\n".utf8)
        line.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Prints a whole-number rate: `count` things in `elapsed`.
    func rate(_ name: String, _ count: Int, in elapsed: Duration, _ unit: String) {
        figure(name, "\(Self.perSecond(count, elapsed))", unit)
    }

    /// Prints a duration in milliseconds with three decimals.
    func milliseconds(_ name: String, _ duration: Duration) {
        figure(name, String(format: "%.3f", duration.seconds * 1000), "ms")
    }

    /// Prints the client's CPU time per operation in microseconds: independent of how
    /// busy the machine is, unlike a rate, so it compares clients fairly on a shared host.
    func cpuPerOperation(_ name: String, _ cpu: Duration, operations: Int, _ unit: String) {
        figure(name, String(format: "%.1f", cpu.seconds * 1e6 / Double(max(operations, 1))), unit)
    }

    /// Prints a ratio with two decimals.
    func ratio(_ name: String, _ value: Double) {
        figure(name, String(format: "%.2f", value), "x")
    }

    /// Writes a progress note to standard error.
    func progress(_ text: String) {
        FileHandle.standardError.write(Data("etcron-bench \(label): \(text)\n".utf8))
    }

    /// `count / elapsed`, rounded down.
    static func perSecond(_ count: Int, _ elapsed: Duration) -> Int {
        Int(Double(count) / max(elapsed.seconds, 1e-9))
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Measures how long `body` takes on the continuous clock.
func timed(_ body: () async throws -> Void) async rethrows -> Duration {
    let start = ContinuousClock.now
    try await body()
    return ContinuousClock.now - start
}

/// CPU time (user and system, every thread) this process has used so far.
func processCPUTime() -> Duration {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_SELF.rawValue, &usage)  // glibc's header makes RUSAGE_SELF an enum case
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func duration(_ time: timeval) -> Duration {
        .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec))
    }
    return duration(usage.ru_utime) + duration(usage.ru_stime)
}

/// The process's resident set size from `/proc/self/status` (`VmRSS`), in MiB; nil where
/// that file does not exist.
func residentMebibytes() -> Double? {
    ProcessProbe(pid: getpid()).residentBytes().map { Double($0) / 1_048_576 }
}
