import Yams

/// Finds and describes YAML nodes by coding path, so a decoding error can name the line
/// and what was found there (`not a string ("ten")`).
enum ManifestNode {
    /// The value node at `path` (mapping keys by name, list items by index).
    static func value(at path: [any CodingKey], in root: Node) -> Node? {
        var node = root
        for key in path {
            guard let next = child(of: node, key) else { return nil }
            node = next.value
        }
        return node
    }

    /// The key node of the last mapping key of `path` (where an unknown key is written).
    static func keyNode(at path: [any CodingKey], in root: Node) -> Node? {
        guard let last = path.last, let parent = value(at: Array(path.dropLast()), in: root) else { return nil }
        return child(of: parent, last)?.key
    }

    private static func child(of node: Node, _ key: any CodingKey) -> (key: Node?, value: Node)? {
        switch node {
        case .mapping(let mapping):
            return mapping.first { $0.key.scalar?.string == key.stringValue }.map { ($0.key, $0.value) }
        case .sequence(let sequence):
            guard let index = key.intValue ?? Int(key.stringValue), sequence.indices.contains(index) else { return nil }
            return (nil, sequence[index])
        default:
            return nil
        }
    }

    /// `retry.maxRetries`, `target.exec.args[2]`.
    static func pathText(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    /// Whether the node is YAML null (an empty document, `~`, `null`).
    static func isNull(_ node: Node) -> Bool {
        node.scalar != nil && tag(of: node) == .null
    }

    /// The node's resolved tag; Yams keeps `Tag.name` internal.
    private static func tag(of node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.rawValue)
    }

    /// What the node is, with its text for scalars: `a string ("ten")`, `a list`.
    static func kind(of node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            switch tag(of: node) {
            case .null: return "null"
            case .bool: return "a boolean (\(scalar.string))"
            case .int: return "an integer (\(scalar.string))"
            case .float: return "a number (\(scalar.string))"
            default: return "a string (\"\(scalar.string)\")"
            }
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    /// What a Swift type expects, in a manifest author's words.
    static func expectation(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "text"
        case is Bool.Type: return "true or false"
        case is Int32.Type: return "an integer from \(Int32.min) to \(Int32.max)"
        case is Int64.Type, is Int.Type: return "an integer"
        case is [String].Type, is [Int32].Type: return "a list"
        case is [String: String].Type: return "a mapping of names to text"
        default:
            let name = "\(type)"
            if name.contains("Sequence") || name.hasPrefix("Array") { return "a list" }
            if name.contains("Mapping") || name.contains("Dictionary") { return "a mapping" }
            return "a \(name)"
        }
    }
}
