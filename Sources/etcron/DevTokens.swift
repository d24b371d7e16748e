import EtcronAPI
import Foundation

/// The API tokens of `etcron dev`: an admin token and an editor of tenant `demo`, random
/// each run, written as a token file (hashes only) in the dev cluster's folder, so a
/// newcomer can try the `/v1` API at once.
struct DevTokens {
    var file: String
    var admin: String
    var demo: String

    /// Writes the token file into `directory` (mode 0600).
    static func write(into directory: String) throws -> DevTokens {
        let admin = "dev-admin-" + random()
        let demo = "dev-demo-" + random()
        let file = directory + "/api-tokens.yaml"
        let text = """
            tokens:
              - name: dev-admin
                sha256: \(APITokenBook.sha256Hex(of: admin))
                role: admin
              - name: dev-demo
                sha256: \(APITokenBook.sha256Hex(of: demo))
                role: editor
                tenants: [demo]

            """
        guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file])
        }
        return DevTokens(file: file, admin: admin, demo: demo)
    }

    private static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<24).map { _ in String(UInt8.random(in: 0...15, using: &generator), radix: 16) }.joined()
    }
}
