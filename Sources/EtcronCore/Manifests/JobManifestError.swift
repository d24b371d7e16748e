/// One problem found while reading a job file: where it is and what is wrong.
public struct JobManifestProblem: Sendable, Hashable, CustomStringConvertible {
    /// The job's position among all jobs of the file (`jobs[index]`), counting every
    /// document and every list item; nil for a problem outside any job (bad YAML, a
    /// document that holds no job).
    public var index: Int?
    /// The YAML document (1-based; documents are separated by `---`).
    public var document: Int
    /// The line in the file, when known.
    public var line: Int?
    /// The field inside the job, e.g. `retry.maxRetrys`; empty for the job itself.
    public var path: String
    /// What is wrong, e.g. `unknown key "maxRetrys" (did you mean "maxRetries"?)`.
    public var reason: String

    /// A problem.
    public init(index: Int?, document: Int, line: Int?, path: String, reason: String) {
        self.index = index
        self.document = document
        self.line = line
        self.path = path
        self.reason = reason
    }

    /// `jobs[2].retry.maxRetrys: unknown key "maxRetrys" (did you mean "maxRetries"?) (document 2, line 14)`.
    public var description: String {
        var location = index.map { "jobs[\($0)]" } ?? ""
        if !path.isEmpty { location += location.isEmpty ? path : "." + path }
        let place = line.map { "document \(document), line \($0)" } ?? "document \(document)"
        if location.isEmpty { return "\(place): \(reason)" }
        return "\(location): \(reason) (\(place))"
    }
}

/// A job file that cannot be read as jobs: every problem found, across all documents.
public struct JobManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem, in file order.
    public var problems: [JobManifestProblem]

    /// An error of `problems`.
    public init(problems: [JobManifestProblem]) {
        self.problems = problems
    }

    /// One problem per line.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
