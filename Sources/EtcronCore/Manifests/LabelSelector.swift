import Foundation

/// A label selector in Kubernetes' syntax, to list the jobs whose labels match: requirements
/// separated by commas, all of which must hold; each is `key=value`, `key==value`,
/// `key!=value`, `key in (v1,v2)`, `key notin (v1,v2)`, `key` (has the label) or `!key`
/// (has it not). Used by `GET /v1/jobs?labelSelector=` and `etcron get -l`.
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    /// One requirement.
    public enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)

        func matches(_ labels: [String: String]) -> Bool {
            switch self {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .isIn(let key, let values): return labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): return !(labels[key].map(values.contains) ?? false)
            case .exists(let key): return labels[key] != nil
            case .doesNotExist(let key): return labels[key] == nil
            }
        }
    }

    /// The requirements, all of which must hold.
    public var requirements: [Requirement]
    /// The text it was parsed from.
    public let description: String

    /// The longest selector accepted.
    public static let maximumLength = 4096

    /// Parses `text`.
    /// - Throws: ``LabelSelectorError`` naming the requirement at fault and why.
    public init(_ text: String) throws(LabelSelectorError) {
        description = text
        guard text.count <= Self.maximumLength else {
            throw LabelSelectorError("is \(text.count) characters long; at most \(Self.maximumLength) are allowed")
        }
        requirements = []
        for part in Self.split(text) {
            let requirement = part.trimmingSpaces
            if requirement.isEmpty {
                throw LabelSelectorError("has an empty requirement (two commas in a row, or a comma at an end)")
            }
            requirements.append(try Self.parse(requirement))
        }
    }

    /// Whether `labels` satisfy every requirement (the empty selector matches everything).
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// The requirements of `text`: split at commas outside parentheses.
    private static func split(_ text: String) -> [String] {
        guard !text.trimmingSpaces.isEmpty else { return [] }
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }

    private static func parse(_ text: String) throws(LabelSelectorError) -> Requirement {
        if text.hasPrefix("!") {
            return .doesNotExist(try key(String(text.dropFirst()).trimmingSpaces, in: text))
        }
        for (op, make) in [("!=", Requirement.notEquals), ("==", Requirement.equals), ("=", Requirement.equals)] {
            if let range = text.range(of: op) {
                let key = try key(String(text[..<range.lowerBound]).trimmingSpaces, in: text)
                let value = try value(String(text[range.upperBound...]).trimmingSpaces, in: text)
                return make(key, value)
            }
        }
        let words = text.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2 {
            let rest = words[1].trimmingSpaces
            for (op, make) in [("notin", Requirement.notIn), ("in", Requirement.isIn)] where rest.hasPrefix(op) {
                let list = String(rest.dropFirst(op.count)).trimmingSpaces
                guard list.hasPrefix("("), list.hasSuffix(")"), list.count >= 2 else {
                    throw LabelSelectorError("requirement \"\(text)\": \(op) needs a list in parentheses, e.g. \(words[0]) \(op) (a,b)")
                }
                let items = list.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
                var values: Set<String> = []
                for item in items { values.insert(try value(String(item).trimmingSpaces, in: text)) }
                return make(try key(words[0], in: text), values)
            }
            throw LabelSelectorError("requirement \"\(text)\": expected =, ==, !=, in or notin after the key")
        }
        return .exists(try key(text, in: text))
    }

    private static func key(_ key: String, in requirement: String) throws(LabelSelectorError) -> String {
        if let problem = JobValidation.labelKeyProblem(key) {
            throw LabelSelectorError("requirement \"\(requirement)\": key \"\(key)\" \(problem)")
        }
        return key
    }

    private static func value(_ value: String, in requirement: String) throws(LabelSelectorError) -> String {
        if !value.isEmpty, let problem = JobValidation.labelValueProblem(value) {
            throw LabelSelectorError("requirement \"\(requirement)\": value \"\(value)\" \(problem)")
        }
        return value
    }
}

/// Why a label selector cannot be parsed.
public struct LabelSelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the requirement.
    public var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
