import EtcronProto
import Foundation

extension JobValidation {
    /// The largest HTTP request body.
    public static let maximumBodyBytes = 32_768

    /// The header that carries the run ID to HTTP targets; etcron sets it, a job may not.
    public static let idempotencyHeader = "Idempotency-Key"

    /// Methods an HTTP target may use.
    public static let httpMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    static func targetProblems(_ spec: Etcron_V1_JobSpec) -> [JobValidationProblem] {
        switch spec.target.kind {
        case .exec(let exec): return execProblems(exec)
        case .http(let http): return httpProblems(http)
        case nil: return [JobValidationProblem(field: "target", reason: "exactly one of exec or http is required")]
        }
    }

    private static func execProblems(_ exec: Etcron_V1_ExecTarget) -> [JobValidationProblem] {
        var problems: [JobValidationProblem] = []
        func refuse(_ field: String, _ reason: String) {
            problems.append(JobValidationProblem(field: "target.exec." + field, reason: reason))
        }
        if exec.command.trimmingCharacters(in: .whitespaces).isEmpty {
            refuse("command", "is required")
        } else if hasNUL(exec.command) {
            refuse("command", "must not contain a NUL character")
        }
        for (index, argument) in exec.args.enumerated() where hasNUL(argument) {
            refuse("args[\(index)]", "must not contain a NUL character")
        }
        for name in exec.env.keys.sorted() {
            if !isEnvironmentName(name) {
                refuse("env", "\"\(name)\" is not a valid environment variable name (letters, digits, '_', '-' and '.', not starting with a digit)")
            } else if hasNUL(exec.env[name] ?? "") {
                refuse("env[\"\(name)\"]", "must not contain a NUL character")
            }
        }
        if !exec.workingDirectory.isEmpty, !exec.workingDirectory.hasPrefix("/") {
            refuse("workingDirectory", "must be an absolute path, not \"\(exec.workingDirectory)\"")
        }
        return problems
    }

    private static func httpProblems(_ http: Etcron_V1_HttpTarget) -> [JobValidationProblem] {
        var problems: [JobValidationProblem] = []
        func refuse(_ field: String, _ reason: String) {
            problems.append(JobValidationProblem(field: "target.http." + field, reason: reason))
        }
        if !http.method.isEmpty, !httpMethods.contains(http.method) {
            refuse("method", "\"\(http.method)\" is not one of \(httpMethods.sorted().joined(separator: ", "))")
        }
        if http.url.isEmpty {
            refuse("url", "is required")
        } else if !isAbsoluteHTTPURL(http.url) {
            refuse("url", "must be an absolute http or https URL, not \"\(http.url)\"")
        }
        for name in http.headers.keys.sorted() {
            if !isToken(name) {
                refuse("headers", "\"\(name)\" is not a valid header name")
            } else if name.lowercased() == idempotencyHeader.lowercased() {
                refuse("headers", "\"\(name)\" is set by etcron (it carries the run ID)")
            } else if let value = http.headers[name], value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                refuse("headers[\"\(name)\"]", "must not contain a line break or NUL character")
            }
        }
        if http.body.count > maximumBodyBytes {
            refuse("body", "is \(http.body.count) bytes long; at most \(maximumBodyBytes) are allowed")
        }
        for (index, status) in http.expectedStatus.enumerated() where !(100...599).contains(status) {
            refuse("expectedStatus[\(index)]", "must be an HTTP status from 100 to 599, not \(status)")
        }
        return problems
    }

    // Scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
    private static func hasNUL(_ text: String) -> Bool {
        text.unicodeScalars.contains("\0")
    }

    /// Kubernetes' rule for environment variable names (C identifiers plus `-` and `.`).
    private static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { isASCIILetterOrDigit($0) || "_-.".unicodeScalars.contains($0) }
    }

    /// An RFC 9110 token (header names).
    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { isASCIILetterOrDigit($0) || "!#$%&'*+-.^_`|~".unicodeScalars.contains($0) }
    }

    private static func isASCIILetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isAbsoluteHTTPURL(_ text: String) -> Bool {
        guard !text.contains(where: \.isWhitespace), let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else { return false }
        return true
    }
}
