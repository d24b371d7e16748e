/// One reason a job is refused: the field and what is wrong with it.
public struct JobValidationProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The field path, e.g. `target.http.url`, `labels["team"]`, `jobs[2].name`.
    public var field: String
    /// Why, naming the value, e.g. `must be an absolute http or https URL`.
    public var reason: String

    /// A problem with `field`.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `field: reason`.
    public var description: String { "\(field): \(reason)" }

    /// The same problem with `prefix.` before the field (for a job among several).
    func within(_ prefix: String) -> JobValidationProblem {
        JobValidationProblem(field: field.isEmpty ? prefix : prefix + "." + field, reason: reason)
    }
}

/// A job (or a set of jobs) that is refused, with every problem found.
public struct JobValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem, in field order, never empty.
    public var problems: [JobValidationProblem]

    /// An error of `problems`.
    public init(problems: [JobValidationProblem]) {
        self.problems = problems
    }

    /// One problem per line.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
