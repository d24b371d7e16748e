import Yams

/// The raw values of every setting from its three sources, looked up by precedence:
/// flag, then environment variable, then configuration file. Typed accessors refuse a
/// value of the wrong type with an error that names the setting and the expected type.
struct SettingValues {
    /// A setting's value before it is typed: text from a flag or the environment, or a
    /// node from the YAML file.
    enum Raw {
        case text(String)
        case yaml(Node)
    }

    let flags: [String: String]
    let environment: [String: String]
    let file: ConfigurationFile?

    /// The highest-precedence value of `name`, and where it came from.
    func raw(_ name: String) -> (value: Raw, origin: SettingOrigin)? {
        let description = ReplicaConfiguration.setting(named: name)
        let sources = description?.sources ?? .all
        if sources.contains(.flag), let text = flags[name] {
            return (.text(text), .flag(name))
        }
        let variable = SettingDescription.environmentVariable(for: name)
        if sources.contains(.environment), let text = environment[variable] {
            return (.text(text), .environment(variable))
        }
        if sources.contains(.file), let file, let node = file.values[name] {
            return (.yaml(node), .file(file.path))
        }
        return nil
    }

    /// A text setting, trimmed of surrounding whitespace; nil when no source sets it.
    /// Numbers in YAML are accepted as their text.
    func string(_ name: String) throws(ConfigurationError) -> (value: String, origin: SettingOrigin)? {
        guard let (raw, origin) = raw(name) else { return nil }
        switch raw {
        case .text(let text):
            return (text.trimmedWhitespace, origin)
        case .yaml(let node):
            guard let text = YAMLValue.text(node) else { throw wrongType(name, node, expected: "a string", origin) }
            return (text.trimmedWhitespace, origin)
        }
    }

    /// An integer setting; nil when no source sets it.
    func integer(_ name: String) throws(ConfigurationError) -> (value: Int64, origin: SettingOrigin)? {
        guard let (raw, origin) = raw(name) else { return nil }
        switch raw {
        case .text(let text):
            let trimmed = text.trimmedWhitespace
            guard let value = Int64(trimmed) else {
                throw ConfigurationError(setting: name, reason: "\"\(trimmed)\" is not an integer", origin: origin)
            }
            return (value, origin)
        case .yaml(let node):
            guard let value = YAMLValue.integer(node) else { throw wrongType(name, node, expected: "an integer", origin) }
            return (value, origin)
        }
    }

    /// A boolean setting: `true`/`false` (also yes/no, on/off, 1/0, any case) as text, or
    /// a YAML boolean; nil when no source sets it.
    func boolean(_ name: String) throws(ConfigurationError) -> (value: Bool, origin: SettingOrigin)? {
        guard let (raw, origin) = raw(name) else { return nil }
        let text: String
        switch raw {
        case .text(let value):
            text = value.trimmedWhitespace
        case .yaml(let node):
            if let value = YAMLValue.boolean(node) { return (value, origin) }
            guard let value = YAMLValue.text(node) else { throw wrongType(name, node, expected: "a boolean", origin) }
            text = value.trimmedWhitespace
        }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return (true, origin)
        case "false", "no", "off", "0": return (false, origin)
        default: throw ConfigurationError(setting: name, reason: "\"\(text)\" is not a boolean (true or false)", origin: origin)
        }
    }

    /// A list setting: comma-separated text, or in YAML a list of strings or one
    /// comma-separated string. Entries are trimmed; empty entries are kept so the caller
    /// can refuse them by position. Nil when no source sets it.
    func list(_ name: String) throws(ConfigurationError) -> (value: [String], origin: SettingOrigin)? {
        guard let (raw, origin) = raw(name) else { return nil }
        switch raw {
        case .text(let text):
            return (Self.splitList(text), origin)
        case .yaml(let node):
            if let sequence = node.sequence {
                var items: [String] = []
                for (index, element) in sequence.enumerated() {
                    guard let text = YAMLValue.text(element) else {
                        throw ConfigurationError(
                            setting: name,
                            reason: "expected a list of strings, but item \(index + 1) is \(YAMLValue.kind(of: element))",
                            origin: origin
                        )
                    }
                    items.append(text.trimmedWhitespace)
                }
                return (items, origin)
            }
            guard let text = YAMLValue.text(node) else {
                throw wrongType(name, node, expected: "a list of strings or a comma-separated string", origin)
            }
            return (Self.splitList(text), origin)
        }
    }

    /// `a, b,c` → `["a", "b", "c"]`; the empty (or blank) text is the empty list.
    static func splitList(_ text: String) -> [String] {
        guard !text.trimmedWhitespace.isEmpty else { return [] }
        return text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmedWhitespace }
    }

    private func wrongType(_ name: String, _ node: Node, expected: String, _ origin: SettingOrigin) -> ConfigurationError {
        if YAMLValue.isNull(node) {
            return ConfigurationError(
                setting: name,
                reason: "has no value in \"\(origin)\" (expected \(expected); remove the key to use the default)",
                origin: origin
            )
        }
        return ConfigurationError(
            setting: name,
            reason: "expected \(expected), got \(YAMLValue.kind(of: node)) in \"\(origin)\"",
            origin: origin
        )
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    var trimmedWhitespace: String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
