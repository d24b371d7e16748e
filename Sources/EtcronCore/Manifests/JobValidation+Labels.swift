extension JobValidation {
    /// Labels follow Kubernetes' syntax, so they can become metric and selector labels:
    /// a key is an optional DNS-subdomain prefix and `/`, then a name of at most 63
    /// characters; a value is empty or at most 63 characters of the same alphabet.
    static func labelProblems(_ labels: [String: String]) -> [JobValidationProblem] {
        var problems: [JobValidationProblem] = []
        for key in labels.keys.sorted() {
            if let reason = labelKeyProblem(key) {
                problems.append(JobValidationProblem(field: "labels", reason: "key \"\(key)\" \(reason)"))
            }
            if let value = labels[key], !value.isEmpty, let reason = labelValueProblem(value) {
                problems.append(JobValidationProblem(field: "labels[\"\(key)\"]", reason: "\"\(value)\" \(reason)"))
            }
        }
        return problems
    }

    /// Why `key` is not a label key (nil if it is one).
    static func labelKeyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 {
            if let problem = JobName.problem(with: String(parts[0])) { return "has a prefix that is not a DNS subdomain: \(problem)" }
            return nameProblem(String(parts[1]))
        }
        return nameProblem(key)
    }

    /// Why a non-empty `value` is not a label value (nil if it is one).
    static func labelValueProblem(_ value: String) -> String? { nameProblem(value) }

    /// Why `name` is not a label name: 1 to 63 letters, digits, `-`, `_` or `.`, starting
    /// and ending with a letter or digit.
    private static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.count > 63 { return "is \(name.count) characters long; at most 63 are allowed" }
        let scalars = Array(name.unicodeScalars)
        let alphanumeric: (Unicode.Scalar) -> Bool = {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        }
        guard scalars.allSatisfy({ alphanumeric($0) || "-_.".unicodeScalars.contains($0) }),
              let first = scalars.first, let last = scalars.last, alphanumeric(first), alphanumeric(last)
        else { return "must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit" }
        return nil
    }
}
