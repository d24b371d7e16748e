import Foundation

/// JSON merge patch (RFC 7396) over JSON values as `JSONSerialization` reads them: a
/// member given replaces the target's, `null` removes it, objects merge member by member,
/// anything else (lists included) replaces the whole.
enum MergePatch {
    static func apply(_ patch: Any, to target: Any?) -> Any? {
        guard let patch = patch as? [String: Any] else { return patch }
        var result = target as? [String: Any] ?? [:]
        for (key, value) in patch {
            if value is NSNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = apply(value, to: result[key])
            }
        }
        return result
    }
}
