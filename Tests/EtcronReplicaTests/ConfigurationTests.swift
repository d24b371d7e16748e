import EtcdClient
@testable import EtcronReplica
import Foundation
import Logging
import Testing

@Suite("replica configuration")
struct ConfigurationTests {
    // MARK: Precedence

    @Test("with nothing given every setting has its default")
    func defaults() throws {
        let configuration = try load(hostname: "node-1.example")
        #expect(configuration.etcd.endpoints == ["127.0.0.1:2379"])
        #expect(configuration.etcd.caFile == nil && configuration.etcd.username == nil && configuration.etcd.password == nil)
        #expect(configuration.keyPrefix == "/etcron/")
        #expect(configuration.replicaID == "node-1.example")
        #expect(configuration.http.listen == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(configuration.http.advertisedAddress() == "node-1.example:8080")
        #expect(configuration.leaseTTL == 10)
        #expect(configuration.log.level == .info)
        #expect(configuration.log.format == .text)
        #expect(configuration.configFile == nil)
        #expect(configuration.etcdClientConfiguration.tls == nil)
        #expect(configuration.etcdClientConfiguration.credentials == nil)
    }

    @Test("a flag beats the environment, which beats the file, which beats the default", arguments: PrecedenceCase.all)
    func precedence(_ setting: PrecedenceCase) throws {
        let files = try TemporaryFiles()
        let config = try files.write("etcron.yaml", "\(setting.name): \(setting.fileValue)\n")
        let variable = SettingDescription.environmentVariable(for: setting.name)

        #expect(setting.read(try load()) == setting.defaultValue)
        #expect(setting.read(try load(environment: ["ETCRON_CONFIG": config])) == setting.fileValue)
        #expect(setting.read(try load(environment: ["ETCRON_CONFIG": config, variable: setting.environmentValue])) == setting.environmentValue)
        let all = try load([setting.name: setting.flagValue], environment: ["ETCRON_CONFIG": config, variable: setting.environmentValue])
        #expect(setting.read(all) == setting.flagValue)
    }

    @Test("the config flag beats ETCRON_CONFIG")
    func configFlagBeatsEnvironment() throws {
        let files = try TemporaryFiles()
        let fromFlag = try files.write("flag.yaml", "lease-ttl: 20\n")
        let fromEnvironment = try files.write("env.yaml", "lease-ttl: 30\n")
        let configuration = try load(["config": fromFlag], environment: ["ETCRON_CONFIG": fromEnvironment])
        #expect(configuration.leaseTTL == 20)
        #expect(configuration.configFile == fromFlag)
    }

    @Test("the file takes endpoints as a YAML list and normalises the key prefix")
    func fileForms() throws {
        let files = try TemporaryFiles()
        let config = try files.write("etcron.yaml", """
            # comments are fine
            etcd-endpoints:
              - https://etcd-0.etcd:2379
              - https://etcd-1.etcd:2379
            key-prefix: /tenants/prod
            lease-ttl: 15
            """)
        let configuration = try load(["config": config])
        #expect(configuration.etcd.endpoints == ["https://etcd-0.etcd:2379", "https://etcd-1.etcd:2379"])
        #expect(configuration.keyPrefix == "/tenants/prod/")
        #expect(configuration.leaseTTL == 15)
    }

    @Test("an empty file sets nothing")
    func emptyFile() throws {
        let files = try TemporaryFiles()
        let config = try files.write("empty.yaml", "# nothing yet\n")
        #expect(try load(["config": config]).leaseTTL == 10)
    }

    @Test("an empty value unsets an optional setting from a lower source")
    func emptyValueUnsets() throws {
        let files = try TemporaryFiles()
        let ca = try files.write("ca.pem", Self.pem)
        let config = try files.write("etcron.yaml", "etcd-ca-file: \(ca)\nadvertise-address: a.example:80\n")
        let configuration = try load(["config": config, "etcd-ca-file": "", "advertise-address": ""])
        #expect(configuration.etcd.caFile == nil)
        #expect(configuration.http.advertiseAddress == nil)
    }

    @Test("ETCRON_ variables that are no setting (Kubernetes service links) are ignored")
    func foreignVariablesIgnored() throws {
        let configuration = try load(environment: ["ETCRON_PORT": "tcp://10.0.0.1:8080", "ETCRON_SERVICE_HOST": "10.0.0.1"])
        #expect(configuration.http.listen.port == 8080)
    }

    @Test("the advertised address follows the bound port and a specific listen host")
    func advertisedAddress() throws {
        let wildcard = try load(["http-listen": "0.0.0.0:0"], hostname: "pod-7")
        #expect(wildcard.http.advertisedAddress(boundPort: 41234) == "pod-7:41234")
        let loopback = try load(["http-listen": "127.0.0.1:0"])
        #expect(loopback.http.advertisedAddress(boundPort: 5000) == "127.0.0.1:5000")
        let ipv6 = try load(["http-listen": "[::1]:9000"])
        #expect(ipv6.http.advertisedAddress() == "[::1]:9000")
        let explicit = try load(["advertise-address": "http://etcron-0.etcron:8080"])
        #expect(explicit.http.advertisedAddress(boundPort: 1) == "http://etcron-0.etcron:8080")
        #expect(try load(["http-listen": ":9090"]).http.listen == ListenAddress(host: "0.0.0.0", port: 9090))
    }

    // MARK: Refused values

    @Test("a bad value is refused with an error naming the setting and the reason", arguments: BadValue.all)
    func refused(_ bad: BadValue) throws {
        let error = try #require(loadError(bad.flags, environment: bad.environment))
        #expect(error.setting == bad.setting)
        #expect(error.reason.contains(bad.reason), "\(error)")
        #expect(error.description == "\(error.setting): \(error.reason)")
    }

    @Test("a value from the environment is refused naming where it came from")
    func environmentOrigin() throws {
        let error = try #require(loadError(environment: ["ETCRON_LEASE_TTL": "ten"]))
        #expect(error.description == #"lease-ttl: "ten" is not an integer"#)
        #expect(error.origin == .environment("ETCRON_LEASE_TTL"))
    }

    @Test("a host name that is no DNS subdomain must be replaced by replica-id")
    func badHostname() throws {
        let error = try #require(loadError(hostname: "build_box"))
        #expect(error.setting == "replica-id")
        #expect(error.reason.contains("host name \"build_box\""), "\(error)")
        #expect(try load(["replica-id": "build-box"], hostname: "build_box").replicaID == "build-box")
    }

    // MARK: The configuration file

    @Test("the file refuses unknown keys, wrong types and misplaced settings", arguments: BadFile.all)
    func badFile(_ bad: BadFile) throws {
        let files = try TemporaryFiles()
        let config = try files.write("etcron.yaml", bad.yaml)
        let error = try #require(loadError(["config": config]))
        #expect(error.setting == bad.setting)
        #expect(error.reason.contains(bad.reason), "\(error)")
        #expect(error.origin == .file(config))
    }

    @Test("a configuration file that cannot be read is refused with the system's reason")
    func unreadableConfig() throws {
        let error = try #require(loadError(environment: ["ETCRON_CONFIG": "/nonexistent/etcron.yaml"]))
        #expect(error.description == #"config: "/nonexistent/etcron.yaml" cannot be read (No such file or directory)"#)
    }

    // MARK: Credentials and TLS

    @Test("the password comes from a file without its trailing newline", arguments: ["s3cret\n", "s3cret\r\n", "s3cret"])
    func passwordFromFile(_ contents: String) throws {
        let files = try TemporaryFiles()
        let path = try files.write("password", contents)
        let configuration = try load(["etcd-username": "etcron", "etcd-password-file": path])
        #expect(configuration.etcd.password == "s3cret")
        #expect(configuration.etcdClientConfiguration.credentials == .init(username: "etcron", password: "s3cret"))
        #expect(!configuration.description.contains("s3cret"))
    }

    @Test("the password comes verbatim from ETCRON_ETCD_PASSWORD")
    func passwordFromEnvironment() throws {
        let configuration = try load(environment: ["ETCRON_ETCD_USERNAME": "etcron", "ETCRON_ETCD_PASSWORD": " pass word "])
        #expect(configuration.etcd.username == "etcron")
        #expect(configuration.etcd.password == " pass word ")
    }

    @Test("credentials need a user and exactly one password source")
    func credentialConflicts() throws {
        let files = try TemporaryFiles()
        let path = try files.write("password", "x\n")
        let empty = try files.write("empty", "\n")

        let noPassword = try #require(loadError(["etcd-username": "etcron"]))
        #expect(noPassword.setting == "etcd-username" && noPassword.reason.contains("needs a password"), "\(noPassword)")
        let noUser = try #require(loadError(environment: ["ETCRON_ETCD_PASSWORD": "x"]))
        #expect(noUser.setting == "etcd-password" && noUser.reason.contains("no etcd-username"), "\(noUser)")
        let both = try #require(loadError(["etcd-username": "u", "etcd-password-file": path], environment: ["ETCRON_ETCD_PASSWORD": "x"]))
        #expect(both.setting == "etcd-password-file" && both.reason.contains("use one"), "\(both)")
        let blank = try #require(loadError(["etcd-username": "u", "etcd-password-file": empty]))
        #expect(blank.description == "etcd-password-file: \"\(empty)\" is empty")
        let missing = try #require(loadError(["etcd-username": "u", "etcd-password-file": "/nonexistent/password"]))
        #expect(missing.description == #"etcd-password-file: "/nonexistent/password" cannot be read (No such file or directory)"#)
    }

    @Test("TLS files must be readable PEM at load time")
    func unreadableTLSFiles() throws {
        let files = try TemporaryFiles()
        let notPEM = try files.write("ca.der", "\u{30}\u{82}binary")
        let missing = try #require(loadError(["etcd-ca-file": "/x/ca.pem"]))
        #expect(missing.description == #"etcd-ca-file: "/x/ca.pem" cannot be read (No such file or directory)"#)
        let directory = try #require(loadError(["etcd-cert-file": files.directory, "etcd-key-file": files.directory]))
        #expect(directory.description == "etcd-cert-file: \"\(files.directory)\" cannot be read (Is a directory)")
        let der = try #require(loadError(environment: ["ETCRON_ETCD_CA_FILE": notPEM]))
        #expect(der.setting == "etcd-ca-file" && der.reason.contains("is not PEM"), "\(der)")
    }

    @Test("a client certificate and its key go together")
    func certificateAndKey() throws {
        let files = try TemporaryFiles()
        let ca = try files.write("ca.pem", Self.pem)
        let cert = try files.write("client.pem", Self.pem)
        let key = try files.write("client-key.pem", "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n")

        let noKey = try #require(loadError(["etcd-cert-file": cert]))
        #expect(noKey.setting == "etcd-key-file" && noKey.reason.contains("together with etcd-cert-file"), "\(noKey)")
        let noCert = try #require(loadError(["etcd-key-file": key]))
        #expect(noCert.setting == "etcd-cert-file", "\(noCert)")

        let configuration = try load(["etcd-ca-file": ca, "etcd-cert-file": cert, "etcd-key-file": key])
        let tls = try #require(configuration.etcdClientConfiguration.tls)
        #expect(tls.caFile == ca && tls.certificateFile == cert && tls.keyFile == key)
    }

    // MARK: The settings list

    @Test("the settings list names every setting once, with its environment variable")
    func settingsList() {
        let names = ReplicaConfiguration.settings.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(Set(names) == [
            "etcd-endpoints", "etcd-ca-file", "etcd-cert-file", "etcd-key-file", "etcd-username", "etcd-password-file",
            "etcd-password", "key-prefix", "replica-id", "http-listen", "advertise-address", "lease-ttl", "executor",
            "scheduler-workers", "history-retention", "history-gc-interval", "job-metrics-limit", "api-rate-limit", "api-max-body-bytes", "exec-user", "http-deny-networks", "http-connections-per-host", "http-tls-cert-file", "http-tls-key-file", "api-tokens-file", "gameday-actions", "log-level", "log-format", "config",
        ])
        let password = ReplicaConfiguration.settings.first { $0.name == "etcd-password" }
        #expect(password?.flag == nil)
        #expect(password?.environmentVariable == "ETCRON_ETCD_PASSWORD")
        #expect(ReplicaConfiguration.settings.first { $0.name == "lease-ttl" }?.flag == "--lease-ttl")
        #expect(ReplicaConfiguration.settings.allSatisfy { !$0.help.isEmpty })
        #expect(ReplicaConfiguration.settings.first { $0.name == "gameday-actions" }?.environmentVariable == "ETCRON_GAMEDAY_ACTIONS")
    }

    // MARK: Helpers

    static let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    private func load(
        _ flags: [String: String] = [:],
        environment: [String: String] = [:],
        hostname: String = "replica-test"
    ) throws(ConfigurationError) -> ReplicaConfiguration {
        try ConfigurationLoader(flags: flags, environment: environment, hostname: hostname).load()
    }

    private func loadError(
        _ flags: [String: String] = [:],
        environment: [String: String] = [:],
        hostname: String = "replica-test"
    ) -> ConfigurationError? {
        do {
            _ = try load(flags, environment: environment, hostname: hostname)
            return nil
        } catch {
            return error
        }
    }
}

/// One setting given at every level of precedence.
struct PrecedenceCase: Sendable, CustomTestStringConvertible {
    let name: String
    let defaultValue: String
    let fileValue: String
    let environmentValue: String
    let flagValue: String
    let read: @Sendable (ReplicaConfiguration) -> String

    var testDescription: String { name }

    static let all: [PrecedenceCase] = [
        .init(name: "lease-ttl", defaultValue: "10", fileValue: "20", environmentValue: "30", flagValue: "40") { String($0.leaseTTL) },
        .init(name: "executor", defaultValue: "true", fileValue: "false", environmentValue: "true", flagValue: "false") { String($0.executorEnabled) },
        .init(name: "gameday-actions", defaultValue: "false", fileValue: "true", environmentValue: "false", flagValue: "true") { String($0.gamedayActions) },
        .init(name: "scheduler-workers", defaultValue: "4", fileValue: "2", environmentValue: "8", flagValue: "16") { String($0.schedulerWorkers) },
        .init(name: "history-retention", defaultValue: "604800", fileValue: "3600", environmentValue: "60", flagValue: "5") { String($0.historyRetention) },
        .init(name: "history-gc-interval", defaultValue: "600", fileValue: "60", environmentValue: "30", flagValue: "1") { String($0.historyGCInterval) },
        .init(name: "job-metrics-limit", defaultValue: "100", fileValue: "0", environmentValue: "1000", flagValue: "7") { String($0.jobMetricsLimit) },
        .init(name: "http-connections-per-host", defaultValue: "32", fileValue: "64", environmentValue: "4096", flagValue: "1") {
            String($0.httpConnectionsPerHost)
        },
        .init(name: "key-prefix", defaultValue: "/etcron/", fileValue: "/file/", environmentValue: "/env/", flagValue: "/flag/") { $0.keyPrefix },
        .init(name: "replica-id", defaultValue: "replica-test", fileValue: "file-1", environmentValue: "env-1", flagValue: "flag-1") { $0.replicaID },
        .init(name: "http-listen", defaultValue: "0.0.0.0:8080", fileValue: "127.0.0.1:1", environmentValue: "127.0.0.1:2", flagValue: "127.0.0.1:0") {
            $0.http.listen.description
        },
        .init(name: "etcd-endpoints", defaultValue: "127.0.0.1:2379", fileValue: "f:1", environmentValue: "e:1,e:2", flagValue: "http://g:1") {
            $0.etcd.endpoints.joined(separator: ",")
        },
        .init(name: "log-level", defaultValue: "info", fileValue: "debug", environmentValue: "warning", flagValue: "trace") { $0.log.level.rawValue },
        .init(name: "log-format", defaultValue: "text", fileValue: "json", environmentValue: "text", flagValue: "json") { $0.log.format.rawValue },
        .init(name: "advertise-address", defaultValue: "replica-test:8080", fileValue: "f.example:1", environmentValue: "e.example:2", flagValue: "https://g.example:3") {
            $0.http.advertisedAddress()
        },
    ]
}

/// A flag or variable value that must be refused.
struct BadValue: Sendable, CustomTestStringConvertible {
    let flags: [String: String]
    var environment: [String: String] = [:]
    let setting: String
    let reason: String

    var testDescription: String { "\(flags.merging(environment) { a, _ in a })" }

    static let all: [BadValue] = [
        .init(flags: ["etcd-endpoints": ""], setting: "etcd-endpoints", reason: "no endpoints given"),
        .init(flags: ["etcd-endpoints": " , "], setting: "etcd-endpoints", reason: "endpoint 1 of 2 is empty"),
        .init(flags: ["etcd-endpoints": "a:1,,b:2"], setting: "etcd-endpoints", reason: "endpoint 2 of 3 is empty"),
        .init(flags: ["etcd-endpoints": "127.0.0.1"], setting: "etcd-endpoints", reason: #""127.0.0.1" has no port"#),
        .init(flags: ["etcd-endpoints": "127.0.0.1:notaport"], setting: "etcd-endpoints", reason: #"port "notaport", which is not a number"#),
        .init(flags: ["etcd-endpoints": "etcd:70000"], setting: "etcd-endpoints", reason: "port 70000, outside 1-65535"),
        .init(flags: ["etcd-endpoints": "ftp://etcd:2379"], setting: "etcd-endpoints", reason: #"unsupported scheme "ftp""#),
        .init(flags: ["etcd-endpoints": "http://etcd:2379/v3"], setting: "etcd-endpoints", reason: #"has a path "/v3""#),
        .init(flags: ["etcd-endpoints": "et cd:2379"], setting: "etcd-endpoints", reason: #"invalid host "et cd""#),
        .init(flags: ["etcd-endpoints": "::1:2379"], setting: "etcd-endpoints", reason: "IPv6 address without brackets"),
        .init(flags: ["etcd-endpoints": "[::1:2379"], setting: "etcd-endpoints", reason: #"missing "]""#),
        .init(flags: ["etcd-endpoints": "a:1,a:1"], setting: "etcd-endpoints", reason: #""a:1" is listed twice"#),
        .init(flags: ["etcd-endpoints": "http://a:1,https://b:1"], setting: "etcd-endpoints", reason: "mixes http:// and https://"),
        .init(flags: ["key-prefix": "etcron"], setting: "key-prefix", reason: #""etcron" must start with "/""#),
        .init(flags: ["key-prefix": ""], setting: "key-prefix", reason: "must not be empty"),
        .init(flags: ["key-prefix": "/a b/"], setting: "key-prefix", reason: "whitespace"),
        .init(flags: ["replica-id": "Replica-1"], setting: "replica-id", reason: #"has "R" at position 1"#),
        .init(flags: ["replica-id": "replica_1"], setting: "replica-id", reason: #""replica_1" is not a DNS subdomain"#),
        .init(flags: ["replica-id": String(repeating: "a", count: 254)], setting: "replica-id", reason: "at most 253"),
        .init(flags: ["replica-id": "a..b"], setting: "replica-id", reason: "empty label"),
        .init(flags: ["replica-id": "a.-b"], setting: "replica-id", reason: #"label "-b" that starts or ends with "-""#),
        .init(flags: ["replica-id": ""], setting: "replica-id", reason: "must not be empty"),
        .init(flags: ["http-listen": "8080"], setting: "http-listen", reason: "has no port"),
        .init(flags: ["http-listen": "0.0.0.0:65536"], setting: "http-listen", reason: "outside 0-65535"),
        .init(flags: ["http-listen": "http://0.0.0.0:80"], setting: "http-listen", reason: "must not have a scheme"),
        .init(flags: ["advertise-address": "etcron-0"], setting: "advertise-address", reason: #""etcron-0" has no port"#),
        .init(flags: ["advertise-address": "etcron-0:0"], setting: "advertise-address", reason: "outside 1-65535"),
        .init(flags: ["lease-ttl": "0"], setting: "lease-ttl", reason: "0 is outside 1-3600 seconds"),
        .init(flags: ["lease-ttl": "3601"], setting: "lease-ttl", reason: "3601 is outside 1-3600 seconds"),
        .init(flags: ["lease-ttl": "10s"], setting: "lease-ttl", reason: #""10s" is not an integer"#),
        .init(flags: ["executor": "maybe"], setting: "executor", reason: #""maybe" is not a boolean (true or false)"#),
        .init(flags: ["scheduler-workers": "0"], setting: "scheduler-workers", reason: "0 is outside 1-64"),
        .init(flags: ["scheduler-workers": "65"], setting: "scheduler-workers", reason: "65 is outside 1-64"),
        .init(flags: ["history-retention": "0"], setting: "history-retention", reason: "0 is outside 1-315360000"),
        .init(flags: ["history-gc-interval": "86401"], setting: "history-gc-interval", reason: "86401 is outside 1-86400"),
        .init(flags: ["job-metrics-limit": "-1"], setting: "job-metrics-limit", reason: "-1 is outside 0-100000"),
        .init(flags: ["http-connections-per-host": "0"], setting: "http-connections-per-host", reason: "0 is outside 1-4096"),
        .init(flags: ["http-connections-per-host": "4097"], setting: "http-connections-per-host", reason: "4097 is outside 1-4096"),
        .init(flags: ["log-level": "verbose"], setting: "log-level", reason: #""verbose" is not one of trace, debug, info, notice, warning, error, critical"#),
        .init(flags: ["log-format": "xml"], setting: "log-format", reason: #""xml" is not one of text, json"#),
        .init(flags: ["etcd-endpoint": "a:1"], setting: "etcd-endpoint", reason: "unknown setting (did you mean etcd-endpoints?)"),
        .init(flags: ["etcd-password": "x"], setting: "etcd-password", reason: "cannot be given as a flag"),
        .init(flags: [:], environment: ["ETCRON_ETCD_ENDPOINTS": ""], setting: "etcd-endpoints", reason: "no endpoints given"),
        .init(flags: [:], environment: ["ETCRON_HTTP_LISTEN": "localhost"], setting: "http-listen", reason: "has no port"),
    ]
}

/// A configuration file that must be refused.
struct BadFile: Sendable, CustomTestStringConvertible {
    let yaml: String
    let setting: String
    let reason: String

    var testDescription: String { yaml.replacingOccurrences(of: "\n", with: "⏎") }

    static let all: [BadFile] = [
        .init(yaml: "etcd-endpoint: a:1\n", setting: "etcd-endpoint", reason: "unknown setting in"),
        .init(yaml: "lease-ttl: 5\nlease_ttl: 5\n", setting: "lease_ttl", reason: "(did you mean lease-ttl?)"),
        .init(yaml: "lease-ttl: ten\n", setting: "lease-ttl", reason: #"expected an integer, got a string ("ten")"#),
        .init(yaml: "lease-ttl: \"10\"\n", setting: "lease-ttl", reason: #"expected an integer, got a string ("10")"#),
        .init(yaml: "lease-ttl: 2.5\n", setting: "lease-ttl", reason: "expected an integer, got a number (2.5)"),
        .init(yaml: "lease-ttl: 0\n", setting: "lease-ttl", reason: "0 is outside 1-3600 seconds"),
        .init(yaml: "key-prefix: [a, b]\n", setting: "key-prefix", reason: "expected a string, got a list"),
        .init(yaml: "log-level: true\n", setting: "log-level", reason: "expected a string, got a boolean (true)"),
        .init(yaml: "replica-id:\n", setting: "replica-id", reason: "has no value"),
        .init(yaml: "http-listen:\n  host: x\n", setting: "http-listen", reason: "expected a string, got a mapping"),
        .init(yaml: "etcd-endpoints: []\n", setting: "etcd-endpoints", reason: "no endpoints given"),
        .init(yaml: "etcd-endpoints:\n  - a:1\n  - {x: y}\n", setting: "etcd-endpoints", reason: "item 2 is a mapping"),
        .init(yaml: "etcd-password: hunter2\n", setting: "etcd-password", reason: "not allowed in the configuration file"),
        .init(yaml: "config: other.yaml\n", setting: "config", reason: "not allowed in the configuration file"),
        .init(yaml: "lease-ttl: 5\nlease-ttl: 6\n", setting: "lease-ttl", reason: "given more than once"),
        .init(yaml: "- lease-ttl\n", setting: "config", reason: "must hold a mapping of setting names to values, not a list"),
        .init(yaml: "lease-ttl: [1\n", setting: "config", reason: "is not valid YAML (line"),
    ]
}

/// Files in a fresh temporary directory, removed with it.
final class TemporaryFiles {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcron-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `contents` to `name` and returns its path.
    func write(_ name: String, _ contents: String) throws -> String {
        let path = directory + "/" + name
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
