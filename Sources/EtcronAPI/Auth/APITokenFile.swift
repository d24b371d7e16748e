import EtcronCore
import Foundation
import Yams

/// The API token file (operator setting `api-tokens-file`): YAML with a list of entries,
/// each naming a token by the hex SHA-256 of its value, so the file never holds a token.
///
/// ```yaml
/// tokens:
///   - name: platform-admins        # recorded as the author of every write
///     sha256: 9f86d081884c7d65...  # `printf %s "$TOKEN" | sha256sum`
///     role: admin                  # admin, editor or viewer
///   - name: team-a-ci
///     sha256: 60303ae22b998861...
///     role: editor
///     tenants: [team-a]            # required for editor and viewer; ignored for admin
/// ```
public enum APITokenFile {
    /// Parses `text` (read from `path`, named in errors); refuses it whole, naming every
    /// entry and field that is wrong: unknown keys, missing or malformed fields, a name or
    /// hash used twice, an editor or viewer without tenants.
    public static func parse(_ text: String, path: String) throws(APITokenFileError) -> [APIToken] {
        var problems: [APITokenFileError.Problem] = []
        func refuse(_ field: String, _ reason: String) {
            problems.append(APITokenFileError.Problem(field: field, reason: reason))
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw APITokenFileError(path: path, problems: [.init(field: "", reason: "is not YAML (\(error))")])
        }
        guard let root = document as? [String: Any] else {
            throw APITokenFileError(path: path, problems: [.init(field: "", reason: "must be a mapping with a `tokens` list")])
        }
        for key in root.keys.sorted() where key != "tokens" { refuse(key, "unknown key (the file has only `tokens`)") }
        guard let entries = root["tokens"] as? [Any] else {
            refuse("tokens", root["tokens"] == nil ? "is required" : "must be a list of entries")
            throw APITokenFileError(path: path, problems: problems)
        }
        var tokens: [APIToken] = []
        var names: [String: Int] = [:]
        var hashes: [[UInt8]: Int] = [:]
        for (index, value) in entries.enumerated() {
            let at = "tokens[\(index)]"
            guard let entry = value as? [String: Any] else {
                refuse(at, "must be a mapping with name, sha256, role and tenants")
                continue
            }
            for key in entry.keys.sorted() where !["name", "sha256", "role", "tenants"].contains(key) {
                refuse("\(at).\(key)", "unknown key (entries have name, sha256, role and tenants)")
            }
            let name = entry["name"] as? String
            if let name {
                if let reason = JobName.refusal(of: name) { refuse("\(at).name", reason) }
                if let first = names[name] { refuse("\(at).name", "\"\(name)\" is used by tokens[\(first)] too") }
                names[name] = names[name] ?? index
            } else {
                refuse("\(at).name", entry["name"] == nil ? "is required" : "must be a string")
            }
            let digest = (entry["sha256"] as? String).flatMap(Self.hexBytes)
            if let digest {
                if let first = hashes[digest] { refuse("\(at).sha256", "is the hash of tokens[\(first)] too") }
                hashes[digest] = hashes[digest] ?? index
            } else {
                refuse("\(at).sha256", entry["sha256"] == nil ? "is required" : "must be 64 hex digits (the SHA-256 of the token)")
            }
            let role = (entry["role"] as? String).flatMap(APIRole.init(rawValue:))
            if role == nil {
                let given = entry["role"].map { "\"\($0)\" is not " } ?? "is required: "
                refuse("\(at).role", given + "one of admin, editor, viewer")
            }
            var tenants: Set<String>?
            if let list = entry["tenants"] {
                if let list = list as? [Any], list.allSatisfy({ $0 is String }) {
                    tenants = Set(list.compactMap { $0 as? String })
                    for tenant in list.compactMap({ $0 as? String }) {
                        if let reason = JobName.refusal(of: tenant) { refuse("\(at).tenants", reason) }
                    }
                } else {
                    refuse("\(at).tenants", "must be a list of tenant names")
                }
            }
            if role != nil, role != .admin, tenants?.isEmpty ?? true {
                refuse("\(at).tenants", "is required for \(role!.rawValue) tokens (the tenants it may see)")
            }
            if let name, let digest, let role {
                tokens.append(APIToken(name: name, sha256: digest, role: role, tenants: tenants))
            }
        }
        guard problems.isEmpty else { throw APITokenFileError(path: path, problems: problems) }
        return tokens
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(APITokenFileError) -> [APIToken] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw APITokenFileError(path: path, problems: [.init(field: "", reason: "cannot be read (\((error as NSError).localizedDescription))")])
        }
        return try parse(text, path: path)
    }

    /// The 32 bytes of a 64-digit hex string; nil for anything else.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.lowercased().utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for pair in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[pair]), let low = Self.nibble(digits[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
