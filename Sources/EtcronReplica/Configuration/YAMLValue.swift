import Yams

/// Reads typed values out of YAML nodes, refusing the wrong type with a phrase that says
/// what was found (`a list`, `a boolean (true)`), so a typed error can name both.
enum YAMLValue {
    /// Text of a scalar that reads naturally as a string: a string, or a number written
    /// where text is expected (a port-less host `10` is still text). Nil otherwise.
    static func text(_ node: Node) -> String? {
        guard let scalar = node.scalar else { return nil }
        switch YAMLValue.tag(of: node) {
        case .str, .int, .float: return scalar.string
        default: return nil
        }
    }

    /// The value of an integer scalar, nil for anything else (including quoted numbers).
    static func integer(_ node: Node) -> Int64? {
        guard YAMLValue.tag(of: node) == .int, let value = node.int else { return nil }
        return Int64(value)
    }

    /// The value of a boolean scalar (`true`, `false`), nil for anything else.
    static func boolean(_ node: Node) -> Bool? {
        guard YAMLValue.tag(of: node) == .bool else { return nil }
        return node.bool
    }

    /// Whether the node is YAML null (`key:` with nothing after it, `~` or `null`).
    static func isNull(_ node: Node) -> Bool {
        node.scalar != nil && YAMLValue.tag(of: node) == .null
    }

    /// The node's resolved tag (`str`, `int`, `null`...); Yams keeps `Tag.name` internal.
    static func tag(of node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.rawValue)
    }

    /// What the node is, with its text for scalars: `a string ("ten")`, `a list`.
    static func kind(of node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            switch YAMLValue.tag(of: node) {
            case .null: return "null"
            case .bool: return "a boolean (\(scalar.string))"
            case .int: return "an integer (\(scalar.string))"
            case .float: return "a number (\(scalar.string))"
            case .str: return "a string (\"\(scalar.string)\")"
            default: return "a value tagged \(node.tag) (\(scalar.string))"
            }
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }
}
