import EtcronCore
import Yams

/// The settings of the optional YAML configuration file, keyed by setting name.
///
/// The file is a single mapping of setting names to values. Every key is checked here:
/// an unknown key (a typo such as `etcd-endpoint`) is an error naming the key, never
/// silently ignored, because an ignored typo means running with a default nobody chose.
struct ConfigurationFile {
    /// Where the file was read from.
    let path: String
    /// The value node of each key.
    let values: [String: Node]

    /// Reads and checks the file at `path`.
    static func load(path: String) throws(ConfigurationError) -> ConfigurationFile {
        let origin = SettingOrigin.file(path)
        let text: String
        do {
            text = try ReadableFile.text(of: path)
        } catch {
            throw ConfigurationError(setting: SettingName.config, reason: "\"\(path)\" cannot be read (\(error.reason))", origin: origin)
        }

        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, path: path)
        } catch {
            throw ConfigurationError(setting: SettingName.config, reason: "\"\(path)\" is not valid YAML (\(error))", origin: origin)
        }

        // An empty file (or one holding only comments) sets nothing.
        guard let root, YAMLValue.tag(of: root) != .null else { return ConfigurationFile(path: path, values: [:]) }
        guard let mapping = root.mapping else {
            throw ConfigurationError(
                setting: SettingName.config,
                reason: "\"\(path)\" must hold a mapping of setting names to values, not \(YAMLValue.kind(of: root))",
                origin: origin
            )
        }

        let fileKeys = ReplicaConfiguration.settings.filter { $0.sources.contains(.file) }.map(\.name)
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string, YAMLValue.tag(of: keyNode) == .str else {
                throw ConfigurationError(
                    setting: keyNode.scalar?.string ?? "\(keyNode)",
                    reason: "keys of \"\(path)\" must be setting names, not \(YAMLValue.kind(of: keyNode))\(line(of: keyNode))",
                    origin: origin
                )
            }
            guard fileKeys.contains(key) else {
                throw ConfigurationError(setting: key, reason: unknownKeyReason(key, path: path, node: keyNode), origin: origin)
            }
            values[key] = value
        }
        return ConfigurationFile(path: path, values: values)
    }

    private static func unknownKeyReason(_ key: String, path: String, node: Node) -> String {
        switch key {
        case SettingName.etcdPassword:
            return "not allowed in the configuration file \"\(path)\"; set ETCRON_ETCD_PASSWORD or etcd-password-file"
        case SettingName.config:
            return "not allowed in the configuration file \"\(path)\"; give it as a flag or ETCRON_CONFIG"
        default:
            let all = ReplicaConfiguration.settings.map(\.name)
            return "unknown setting in \"\(path)\"\(line(of: node))\(ClosestName.hint(for: key, among: all))"
        }
    }

    private static func line(of node: Node) -> String {
        node.mark.map { " at line \($0.line)" } ?? ""
    }

    /// One line out of Yams' multi-line error text: position and problem.
    private static func yamlError(_ error: YamlError, path: String) -> ConfigurationError {
        let origin = SettingOrigin.file(path)
        switch error {
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            return ConfigurationError(
                setting: key,
                reason: "given more than once in \"\(path)\" (line \(context.mark.line))",
                origin: origin
            )
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigurationError(
                setting: SettingName.config,
                reason: "\"\(path)\" is not valid YAML (line \(mark.line), column \(mark.column): \(problem))",
                origin: origin
            )
        default:
            let firstLine = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            return ConfigurationError(setting: SettingName.config, reason: "\"\(path)\" is not valid YAML (\(firstLine))", origin: origin)
        }
    }
}
