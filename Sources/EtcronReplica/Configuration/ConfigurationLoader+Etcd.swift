/// The etcd settings: endpoints, TLS files and credentials.
extension ConfigurationLoader {
    func etcdSettings(_ values: SettingValues) throws(ConfigurationError) -> ReplicaConfiguration.Etcd {
        var etcd = ReplicaConfiguration.Etcd()
        etcd.endpoints = try endpoints(values)
        etcd.caFile = try pemFile(SettingName.etcdCAFile, values)
        etcd.certificateFile = try pemFile(SettingName.etcdCertFile, values)
        etcd.keyFile = try pemFile(SettingName.etcdKeyFile, values)
        switch (etcd.certificateFile, etcd.keyFile) {
        case (.some, nil):
            throw ConfigurationError(
                setting: SettingName.etcdKeyFile,
                reason: "must be set together with \(SettingName.etcdCertFile) (mutual TLS needs the certificate and its key)"
            )
        case (nil, .some):
            throw ConfigurationError(
                setting: SettingName.etcdCertFile,
                reason: "must be set together with \(SettingName.etcdKeyFile) (mutual TLS needs the certificate and its key)"
            )
        default:
            break
        }
        (etcd.username, etcd.password) = try credentials(values)
        etcd.passwordFile = try values.string(SettingName.etcdPasswordFile).flatMap { $0.value.isEmpty ? nil : $0.value }
        return etcd
    }

    private func endpoints(_ values: SettingValues) throws(ConfigurationError) -> [String] {
        let name = SettingName.etcdEndpoints
        guard let (endpoints, origin) = try values.list(name) else { return ReplicaConfiguration.Defaults.etcdEndpoints }
        guard !endpoints.isEmpty else {
            throw ConfigurationError(setting: name, reason: "no endpoints given", origin: origin)
        }
        var schemes: Set<String> = []
        for (index, endpoint) in endpoints.enumerated() {
            guard !endpoint.isEmpty else {
                throw ConfigurationError(setting: name, reason: "endpoint \(index + 1) of \(endpoints.count) is empty", origin: origin)
            }
            switch HostPortSyntax.parse(endpoint, schemes: ["http", "https"]) {
            case .success(let parsed):
                if let scheme = parsed.scheme { schemes.insert(scheme) }
            case .failure(let reason):
                throw ConfigurationError(setting: name, reason: "\"\(endpoint)\" \(reason.text)", origin: origin)
            }
            if endpoints[..<index].contains(endpoint) {
                throw ConfigurationError(setting: name, reason: "\"\(endpoint)\" is listed twice", origin: origin)
            }
        }
        // The client runs every endpoint with TLS as soon as one says https://, so an
        // explicit http:// next to it would be a lie.
        if schemes.count > 1 {
            throw ConfigurationError(
                setting: name,
                reason: "mixes http:// and https:// endpoints; one connection uses one of them",
                origin: origin
            )
        }
        return endpoints
    }

    /// A PEM file setting: nil when unset or blank; otherwise the path, which must be
    /// readable now and hold a PEM block, so a wrong mount fails the start instead of the
    /// first connection attempt.
    private func pemFile(_ name: String, _ values: SettingValues) throws(ConfigurationError) -> String? {
        guard let (path, origin) = try values.string(name), !path.isEmpty else { return nil }
        let contents: [UInt8]
        do {
            contents = try ReadableFile.contents(of: path)
        } catch {
            throw ConfigurationError(setting: name, reason: "\"\(path)\" cannot be read (\(error.reason))", origin: origin)
        }
        guard !contents.isEmpty else {
            throw ConfigurationError(setting: name, reason: "\"\(path)\" is empty", origin: origin)
        }
        guard String(decoding: contents, as: UTF8.self).contains("-----BEGIN ") else {
            throw ConfigurationError(setting: name, reason: "\"\(path)\" is not PEM (no \"-----BEGIN\" line)", origin: origin)
        }
        return path
    }

    /// The user and password: both or neither. The password comes from
    /// `etcd-password-file` or `ETCRON_ETCD_PASSWORD`, never from a flag or the YAML file.
    private func credentials(_ values: SettingValues) throws(ConfigurationError) -> (String?, String?) {
        let username = try values.string(SettingName.etcdUsername).flatMap { $0.value.isEmpty ? nil : $0 }
        let passwordFile = try values.string(SettingName.etcdPasswordFile).flatMap { $0.value.isEmpty ? nil : $0 }
        let variable = SettingDescription.environmentVariable(for: SettingName.etcdPassword)
        // Taken verbatim: spaces may be part of a password.
        let environmentPassword = environment[variable].flatMap { $0.isEmpty ? nil : $0 }

        var password: String?
        if let (path, origin) = passwordFile {
            guard environmentPassword == nil else {
                throw ConfigurationError(
                    setting: SettingName.etcdPasswordFile,
                    reason: "both \(SettingName.etcdPasswordFile) (\"\(path)\") and \(variable) are set; use one",
                    origin: origin
                )
            }
            password = try readPassword(path, origin: origin)
        } else {
            password = environmentPassword
        }

        switch (username, password) {
        case (.some, nil):
            throw ConfigurationError(
                setting: SettingName.etcdUsername,
                reason: "needs a password (set \(SettingName.etcdPasswordFile) or \(variable))",
                origin: username?.origin
            )
        case (nil, .some):
            let setting = passwordFile == nil ? SettingName.etcdPassword : SettingName.etcdPasswordFile
            throw ConfigurationError(
                setting: setting,
                reason: "a password is given but no \(SettingName.etcdUsername)",
                origin: passwordFile?.origin ?? .environment(variable)
            )
        default:
            return (username?.value, password)
        }
    }

    private func readPassword(_ path: String, origin: SettingOrigin) throws(ConfigurationError) -> String {
        let name = SettingName.etcdPasswordFile
        var text: String
        do {
            text = try ReadableFile.text(of: path)
        } catch {
            throw ConfigurationError(setting: name, reason: "\"\(path)\" cannot be read (\(error.reason))", origin: origin)
        }
        // `echo secret > file` and Kubernetes secrets made from such files end in a newline
        // that is not part of the password.
        while let last = text.last, last == "\n" || last == "\r" || last == "\r\n" {
            text.removeLast()
        }
        guard !text.isEmpty else {
            throw ConfigurationError(setting: name, reason: "\"\(path)\" is empty", origin: origin)
        }
        return text
    }
}
