import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Yams

/// Where a client verb sends its requests, and the client config file `etcron login`
/// writes: `<config dir>/etcron/client.yaml` (`$XDG_CONFIG_HOME`, else `~/.config`),
/// mode 0600, holding `server` and `token`.
enum ClientSettings {
    /// How the verbs reach etcron.
    enum Target: Equatable {
        /// A replica's `/v1` API.
        case api(server: String, token: String)
        /// etcd, with the settings of the flags, environment and config file.
        case etcd
    }

    /// The client config file's path.
    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/etcron/client.yaml"
    }

    /// The target of `flags`: `--server` speaks the API; else `--etcd-endpoints` or
    /// `--config` speak etcd; else `ETCRON_SERVER`, then `ETCRON_ETCD_ENDPOINTS`; else
    /// the file `etcron login` wrote; else etcd with its defaults.
    /// - Throws: `UsageFailure` for a server without a token, or an unreadable file.
    static func target(_ flags: ConnectionFlags, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Target {
        let saved = try savedLogin(environment: environment)
        func api(_ server: String) throws -> Target {
            let fromEnvironment = environment["ETCRON_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            guard let token = flags.token ?? fromEnvironment ?? saved?.token, !token.isEmpty else {
                throw UsageFailure(message: "token: --server \(server) needs an API token: --token, ETCRON_TOKEN or `etcron login`")
            }
            return .api(server: server, token: token)
        }
        if let server = flags.server { return try api(server) }
        if flags.etcdEndpoints != nil || flags.config != nil { return .etcd }
        if let server = environment["ETCRON_SERVER"], !server.isEmpty { return try api(server) }
        if let endpoints = environment["ETCRON_ETCD_ENDPOINTS"], !endpoints.isEmpty { return .etcd }
        if let saved { return .api(server: saved.server, token: saved.token) }
        return .etcd
    }

    /// The server and token `etcron login` saved, if it did.
    static func savedLogin(environment: [String: String]) throws -> (server: String, token: String)? {
        let file = path(environment: environment)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw UsageFailure(message: "\(file): cannot be read: \(error.localizedDescription)")
        }
        guard let values = (try? Yams.load(yaml: text)) as? [String: Any],
            let server = values["server"] as? String, let token = values["token"] as? String
        else {
            throw UsageFailure(message: "\(file): must hold server and token (strings); run `etcron login` again")
        }
        return (server, token)
    }

    /// Saves `server` and `token` for later commands, readable by the user only.
    static func saveLogin(server: String, token: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let file = path(environment: environment)
        do {
            try write(server: server, token: token, to: file)
        } catch let failure as UsageFailure {
            throw failure
        } catch {
            throw UsageFailure(message: "\(file): cannot be written: \(error.localizedDescription)")
        }
        return file
    }

    private static func write(server: String, token: String, to file: String) throws {
        let directory = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let text = try Yams.dump(object: ["server": server, "token": token])
        // Created 0600 before the token is written, so it is never readable by others.
        guard FileManager.default.createFile(atPath: file + ".tmp", contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw UsageFailure(message: "\(file).tmp: cannot be created")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file + ".tmp"))
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
        // rename(2): atomic, over an older file or none.
        guard rename(file + ".tmp", file) == 0 else {
            throw UsageFailure(message: "\(file): cannot be written: \(String(cString: strerror(errno)))")
        }
    }
}
