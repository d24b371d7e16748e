import Crypto
import Foundation

/// The tokens in force, and the one lookup of a presented bearer token.
///
/// The token is hashed once (SHA-256) and compared with every entry's hash in constant
/// time, all entries every time, so neither how many leading bytes match nor which entry
/// matched shows in the answer's timing.
public struct APITokenBook: Sendable {
    /// The entries.
    public let tokens: [APIToken]

    /// A book of `tokens`.
    public init(_ tokens: [APIToken]) {
        self.tokens = tokens
    }

    /// The entry of `presented`, or nil when no entry has its hash.
    public func entry(for presented: String) -> APIToken? {
        let digest = Array(SHA256.hash(data: Data(presented.utf8)))
        var found: APIToken?
        for token in tokens where Self.constantTimeEqual(token.sha256, digest) {
            found = token
        }
        return found
    }

    /// Whether `a` and `b` are equal, looking at every byte whatever differs first.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// The hex SHA-256 of `token`, as the token file holds it.
    public static func sha256Hex(of token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
