/// The DNS-subdomain rule (RFC 1123, as Kubernetes applies it to object names): at most
/// 253 characters of lowercase letters, digits, `-` and `.`, where every dot-separated
/// label starts and ends with a letter or digit. Replica IDs end up in etcd keys, HTTP
/// paths and metric labels, so they are held to it; tenant and job names too.
public enum DNSSubdomain {
    /// The longest name allowed.
    public static let maximumLength = 253

    /// Why `name` is not a DNS subdomain, or nil when it is one.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        let length = name.utf8.count
        if length > maximumLength { return "is \(length) characters long; at most \(maximumLength) are allowed" }
        for (offset, character) in name.enumerated() {
            let allowed = character.isASCII && (character.isNumber || character.isLowercase || character == "-" || character == ".")
            guard allowed else {
                let hint = character.isASCII && character.isUppercase ? " (use lowercase)" : ""
                return "has \"\(character)\" at position \(offset + 1)\(hint)"
            }
        }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { return "has an empty label (two dots in a row, or a dot at either end)" }
            if label.first == "-" || label.last == "-" {
                return "has label \"\(label)\" that starts or ends with \"-\""
            }
        }
        return nil
    }
}
