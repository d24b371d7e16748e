import ArgumentParser
import EtcronCore
import EtcronProto
import Foundation

/// `etcron apply -f FILE`: creates or updates the jobs of a YAML or JSON file.
public struct ApplyCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or update jobs from a YAML or JSON file.",
        discussion: """
            The file holds one job per YAML document (separated by ---) or lists of jobs, \
            or a JSON object or array. Every job is checked before anything is written: \
            unknown keys, bad values and bad schedules are all listed, and the command exits \
            with status 2 without applying any job. Prints one line per job: \
            TENANT/NAME created, updated or unchanged.
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @Option(name: [.customShort("f"), .customLong("filename")], help: "The file of jobs; - reads standard input.")
    var file: String

    @OptionGroup var output: OutputOption

    public func run() async throws {
        let text = try readJobFile(file)
        let manifests: [JobManifest]
        do throws(JobManifestError) {
            manifests = try JobManifestDecoder.decode(yaml: text)
        } catch {
            throw UsageFailure(message: problemList(
                "apply: \(source) cannot be read as jobs (\(pluralized(error.problems.count, "problem"))); nothing was applied:",
                error.problems.map(\.description)))
        }
        guard !manifests.isEmpty else { throw UsageFailure(message: "-f: \(source) holds no job") }
        let specs: [Etcron_V1_JobSpec]
        do throws(JobValidationError) {
            specs = try JobValidation.specs(from: manifests)
        } catch {
            throw UsageFailure(message: problemList(
                "apply: \(source) is refused (\(pluralized(error.problems.count, "problem"))); nothing was applied:",
                error.problems.map(\.description)))
        }
        for spec in specs {
            for warning in JobValidation.warnings(for: spec) { printError("warning: \(spec.tenant)/\(spec.name): \(warning)") }
        }
        let results = try await withJobService(connection, command: "apply") { store throws(JobStoreError) in
            do throws(JobStoreError) {
                return try await store.apply(specs)
            } catch {
                // Jobs written before a failure part-way are reported before the error.
                error.applied.forEach { print($0.description) }
                throw error
            }
        }
        if let encoded = try encodeJobOutput(results, as: output.format) {
            print(encoded)
        } else {
            results.forEach { print($0.description) }
        }
    }

    private var source: String { file == "-" ? "standard input" : "\"\(file)\"" }

    /// The text of `path`, or of standard input for `-`; unreadable is a usage error.
    private func readJobFile(_ path: String) throws -> String {
        if path == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw UsageFailure(message: "-f: \"\(path)\" cannot be read (\((error as NSError).localizedDescription))")
        }
    }
}

/// `1 problem`, `3 problems`.
func pluralized(_ number: Int, _ noun: String) -> String {
    "\(number) \(noun)\(number == 1 ? "" : "s")"
}
