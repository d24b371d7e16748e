import Yams

/// Reads job files: YAML or JSON (JSON is YAML), one job per document (`---` between
/// documents) or a list of jobs per document, or any mix.
///
/// Every document is read even after a bad one, and every unknown key and wrongly typed
/// value is reported with the job's position (`jobs[i]`, counting all jobs of the file),
/// the field, the document and the line. Empty documents are ignored.
public enum JobManifestDecoder {
    /// The jobs in `text`, in file order.
    /// - Throws: ``JobManifestError`` with every problem of the file.
    public static func decode(yaml text: String) throws(JobManifestError) -> [JobManifest] {
        var manifests: [JobManifest] = []
        var problems: [JobManifestProblem] = []
        var index = 0
        var document = 0
        do {
            let parser = try Parser(yaml: text)
            while let root = try parser.nextRoot() {
                document += 1
                for item in jobNodes(in: root, document: document, problems: &problems) {
                    switch decodeJob(item, index: index, document: document) {
                    case .success(let manifest): manifests.append(manifest)
                    case .failure(let failure): problems += failure.problems
                    }
                    index += 1
                }
            }
        } catch {
            problems.append(yamlProblem(error, document: max(1, document + 1)))
        }
        guard problems.isEmpty else { throw JobManifestError(problems: problems) }
        return manifests
    }

    /// The job mappings of one document: itself, or the items of a list.
    private static func jobNodes(in root: Node, document: Int, problems: inout [JobManifestProblem]) -> [Node] {
        switch root {
        case .mapping: return [root]
        case .sequence(let sequence): return Array(sequence)
        case .scalar where ManifestNode.isNull(root): return []
        default:
            problems.append(JobManifestProblem(
                index: nil, document: document, line: root.mark?.line, path: "",
                reason: "must be a job (a mapping) or a list of jobs, not \(ManifestNode.kind(of: root))"))
            return []
        }
    }

    private static func decodeJob(_ node: Node, index: Int, document: Int) -> Result<JobManifest, JobManifestError> {
        guard case .mapping = node else {
            return .failure(JobManifestError(problems: [JobManifestProblem(
                index: index, document: document, line: node.mark?.line, path: "",
                reason: "must be a mapping of job fields, not \(ManifestNode.kind(of: node))")]))
        }
        let collector = UnknownKeyCollector()
        var problems: [JobManifestProblem] = []
        var manifest: JobManifest?
        do {
            manifest = try YAMLDecoder().decode(JobManifest.self, from: node, userInfo: [UnknownKeyCollector.userInfoKey: collector])
        } catch let error as DecodingError {
            problems.append(problem(error, in: node, index: index, document: document))
        } catch {
            problems.append(JobManifestProblem(index: index, document: document, line: node.mark?.line, path: "", reason: "\(error)"))
        }
        let unknown = collector.keys.map { key in
            JobManifestProblem(
                index: index, document: document, line: ManifestNode.keyNode(at: key.path, in: node)?.mark?.line,
                path: ManifestNode.pathText(key.path), reason: key.reason)
        }
        if let manifest, unknown.isEmpty { return .success(manifest) }
        let all = unknown + problems
        // In line order (decoding visits nested mappings before the keys after them).
        let ordered = all.enumerated().sorted { ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset) }
        return .failure(JobManifestError(problems: ordered.map(\.element)))
    }

    private static func problem(_ error: DecodingError, in root: Node, index: Int, document: Int) -> JobManifestProblem {
        let path: [any CodingKey]
        let reason: String
        switch error {
        case .typeMismatch(let type, let context):
            path = context.codingPath
            let found = ManifestNode.value(at: path, in: root).map { ", not " + ManifestNode.kind(of: $0) } ?? ""
            reason = "must be \(ManifestNode.expectation(type))\(found)"
        case .valueNotFound(let type, let context):
            path = context.codingPath
            reason = "must be \(ManifestNode.expectation(type)), not null"
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
            reason = "is required"
        case .dataCorrupted(let context):
            path = context.codingPath
            reason = context.debugDescription
        @unknown default:
            path = []
            reason = "\(error)"
        }
        return JobManifestProblem(
            index: index, document: document, line: ManifestNode.value(at: path, in: root)?.mark?.line ?? root.mark?.line,
            path: ManifestNode.pathText(path), reason: reason)
    }

    /// One line out of Yams' multi-line error text: position and problem.
    private static func yamlProblem(_ error: any Error, document: Int) -> JobManifestProblem {
        guard let error = error as? YamlError else {
            return JobManifestProblem(index: nil, document: document, line: nil, path: "", reason: "is not valid YAML (\(error))")
        }
        switch error {
        case .duplicatedKeysInMapping(let duplicates, let context):
            return JobManifestProblem(
                index: nil, document: document, line: context.mark.line, path: "",
                reason: "key \"\(duplicates.first ?? "?")\" is given more than once")
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return JobManifestProblem(
                index: nil, document: document, line: mark.line, path: "",
                reason: "is not valid YAML (column \(mark.column): \(problem))")
        default:
            let firstLine = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            return JobManifestProblem(index: nil, document: document, line: nil, path: "", reason: "is not valid YAML (\(firstLine))")
        }
    }
}
