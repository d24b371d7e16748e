import Foundation

/// Where `etcron-bench failover` writes: figures to the process's real standard output,
/// one `name: value unit` line each, and progress to standard error.
///
/// Creating it moves file descriptor 1 onto standard error and keeps a private duplicate
/// of the real standard output for figures, so that a log line from the etcd harness or
/// client (swift-log's default handler writes to standard output) can never end up among
/// the figures, which scripts parse.
struct FailoverOutput: Sendable {
    private let figures: Int32

    init() {
        fflush(nil)  // every C stream, so nothing buffered for fd 1 lands on stderr later
        let copy = dup(STDOUT_FILENO)
        if copy >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 {
            figures = copy
        } else {
            figures = STDOUT_FILENO
        }
    }

    /// Prints `name: value unit` to standard output.
    func figure(_ name: String, _ value: String, _ unit: String) {
        Self.write(figures, "\(name): \(value) \(unit)\n")
    }

    /// Prints a duration in seconds with two decimals, e.g. `failover.sigkill.min: 2.31 s`.
    func seconds(_ name: String, _ duration: Duration) {
        figure(name, String(format: "%.2f", duration.failoverSeconds), "s")
    }

    /// Prints a whole number with the unit `count`.
    func count(_ name: String, _ value: Int) {
        figure(name, "\(value)", "count")
    }

    /// Writes a progress note to standard error.
    func progress(_ text: String) {
        Self.write(STDERR_FILENO, "etcron-bench failover: \(text)\n")
    }

    private static func write(_ descriptor: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var failoverSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
