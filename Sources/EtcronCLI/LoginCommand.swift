import ArgumentParser
import EtcronAPIClient
import EtcronAPIModel
import Foundation

/// `etcron login --server URL --token-file FILE`: checks the token against the server and
/// saves both for later commands, in the user's config directory, readable by the user
/// only; every client verb then speaks that server's `/v1` API.
public struct LoginCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Save a replica's URL and an API token for later commands (in ~/.config/etcron/client.yaml, mode 0600)."
    )

    @Option(help: "A replica's URL, e.g. http://etcron.example:8080.")
    var server: String

    @Option(help: "A file holding the API token (read once; the token is not echoed). - reads standard input.")
    var tokenFile: String

    public func run() async throws {
        let raw: String
        do {
            raw = tokenFile == "-"
                ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                : try String(contentsOfFile: tokenFile, encoding: .utf8)
        } catch {
            throw UsageFailure(message: "token-file: \(tokenFile) cannot be read: \(error.localizedDescription)")
        }
        let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
            throw UsageFailure(message: "token-file: \(tokenFile) must hold one token (no spaces or line breaks inside)")
        }
        let connection: APIConnection
        do {
            connection = try APIConnection(server: server, token: token)
        } catch {
            throw UsageFailure(message: error.description)
        }
        do {
            _ = try await connection.client.getCluster()
        } catch {
            let failure = APIFailure.from(error)
            printError("etcron login: \(server) refused the token: \(failure.message)")
            throw ExitCode(1)
        }
        let file = try ClientSettings.saveLogin(server: server, token: token)
        print("logged in to \(server); saved in \(file)")
    }
}
