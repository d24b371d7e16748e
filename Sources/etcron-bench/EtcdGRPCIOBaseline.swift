import Foundation

/// The same-run baseline: `scripts/bench/grpcio_put_inflight.py` does the in-flight puts
/// with python grpcio (a reference client on the same gRPC C core) against the same etcd.
/// Optional: without python3 or grpcio the benchmark still prints its own figures.
enum EtcdGRPCIOBaseline {
    static let scriptPath = "scripts/bench/grpcio_put_inflight.py"

    /// The script: `explicit` if given, else under the working directory, else in the
    /// checkout this binary was built from.
    static func locateScript(_ explicit: String?) -> String? {
        if let explicit { return explicit }
        let candidates = [
            FileManager.default.currentDirectoryPath + "/" + scriptPath,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(scriptPath).path,
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Runs the script and returns its puts per second and the CPU time it used for them;
    /// nil (with the reason on standard error) when python3 or grpcio is missing or the run
    /// failed.
    static func run(
        script: String, endpoint: String, count: Int, width: Int, valueSize: Int, figures: EtcdFigures
    ) async -> (rate: Int, cpu: Duration)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script, "--target", endpoint, "--count", "\(count)", "--concurrency", "\(width)",
            "--value-size", "\(valueSize)", "--key-prefix", "bench/grpcio/",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        let (exited, exitContinuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            exitContinuation.yield(finished.terminationStatus)
            exitContinuation.finish()
        }
        do {
            try process.run()
        } catch {
            figures.progress("grpcio baseline skipped: cannot run python3 (\(error))")
            return nil
        }
        // Read before waiting, so a full pipe can never block the script; on a thread of
        // its own, as the read blocks until the script exits.
        let reader = output.fileHandleForReading
        let data = await withCheckedContinuation { (continuation: CheckedContinuation<Data, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: reader.readDataToEndOfFile()) }
        }
        var status: Int32 = -1
        for await code in exited { status = code }
        let text = String(decoding: data, as: UTF8.self)
        switch status {
        case 0:
            var values: [Substring: Double] = [:]
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.count == 2, let value = Double(fields[1]) { values[fields[0]] = value }
            }
            if let rate = values["puts_per_second"], let cpu = values["cpu_seconds"] {
                return (Int(rate), .seconds(cpu))
            }
            figures.progress("grpcio baseline skipped: unexpected output \(text.debugDescription)")
        case 3:
            figures.progress("grpcio baseline skipped: python grpcio is not installed (pip install grpcio)")
        case 127:
            figures.progress("grpcio baseline skipped: python3 not found")
        default:
            figures.progress("grpcio baseline skipped: the script exited with status \(status)")
        }
        return nil
    }

    /// Figures from shared/docs/grpc-c-core-notes.md, printed instead of a baseline when
    /// none can be measured; the names say they were not measured in this run.
    static func printReferences(_ figures: EtcdFigures) {
        figures.figure("reference.not_measured.grpcio.put.inflight64", "10000", "puts/s")
        figures.figure("reference.not_measured.c_core.put.inflight64.low", "11000", "puts/s")
        figures.figure("reference.not_measured.c_core.put.inflight64.high", "15000", "puts/s")
        figures.figure("reference.not_measured.c_core.put.txn100.low", "36000", "puts/s")
        figures.figure("reference.not_measured.c_core.put.txn100.high", "47000", "puts/s")
        figures.figure("reference.not_measured.c_core.keepalive.stream", "20000", "keepalives/s")
    }
}
