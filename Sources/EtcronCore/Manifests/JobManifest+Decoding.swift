// Decoding that refuses unknown keys at every level (see StrictKeys); encoding is
// synthesized from the same CodingKeys and leaves absent fields out.

extension JobManifest {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case tenant, name, schedule, timeZone, concurrencyPolicy, startingDeadlineSeconds, suspend, target, retry
        case attemptTimeoutSeconds, history, labels, description, owner
    }

    /// Decodes a manifest, refusing unknown keys.
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tenant = try c.decodeIfPresent(String.self, forKey: .tenant)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        schedule = try c.decodeIfPresent(String.self, forKey: .schedule)
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone)
        concurrencyPolicy = try c.decodeIfPresent(ConcurrencyPolicy.self, forKey: .concurrencyPolicy)
        startingDeadlineSeconds = try c.decodeIfPresent(Int64.self, forKey: .startingDeadlineSeconds)
        suspend = try c.decodeIfPresent(Bool.self, forKey: .suspend)
        target = try c.decodeIfPresent(Target.self, forKey: .target)
        retry = try c.decodeIfPresent(Retry.self, forKey: .retry)
        attemptTimeoutSeconds = try c.decodeIfPresent(Int64.self, forKey: .attemptTimeoutSeconds)
        history = try c.decodeIfPresent(History.self, forKey: .history)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
    }
}

extension JobManifest.ConcurrencyPolicy {
    /// Decodes `Allow`, `Forbid` or `Replace`, refusing anything else with the accepted values.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: text) else {
            let accepted = Self.allCases.map(\.rawValue)
            let hint = StrictKeys.suggestion(for: text, among: accepted).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "\"\(text)\" is not one of \(accepted.joined(separator: ", "))\(hint)"))
        }
        self = value
    }
}

extension JobManifest.Target {
    enum CodingKeys: String, CodingKey, CaseIterable { case exec, http }

    /// Decodes a target, refusing unknown keys.
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        exec = try c.decodeIfPresent(JobManifest.Exec.self, forKey: .exec)
        http = try c.decodeIfPresent(JobManifest.HTTP.self, forKey: .http)
    }
}

extension JobManifest.Exec {
    enum CodingKeys: String, CodingKey, CaseIterable { case command, args, env, workingDirectory }

    /// Decodes an exec target, refusing unknown keys.
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        command = try c.decodeIfPresent(String.self, forKey: .command)
        args = try c.decodeIfPresent([String].self, forKey: .args)
        env = try c.decodeIfPresent([String: String].self, forKey: .env)
        workingDirectory = try c.decodeIfPresent(String.self, forKey: .workingDirectory)
    }
}

extension JobManifest.HTTP {
    enum CodingKeys: String, CodingKey, CaseIterable { case method, url, headers, body, expectedStatus }

    /// Decodes an HTTP target, refusing unknown keys.
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = try c.decodeIfPresent(String.self, forKey: .method)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        headers = try c.decodeIfPresent([String: String].self, forKey: .headers)
        body = try c.decodeIfPresent(String.self, forKey: .body)
        expectedStatus = try c.decodeIfPresent([Int32].self, forKey: .expectedStatus)
    }
}

extension JobManifest.Retry {
    enum CodingKeys: String, CodingKey, CaseIterable { case maxRetries, initialBackoffMs, maxBackoffMs }

    /// Decodes a retry policy, refusing unknown keys.
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxRetries = try c.decodeIfPresent(Int32.self, forKey: .maxRetries)
        initialBackoffMs = try c.decodeIfPresent(Int64.self, forKey: .initialBackoffMs)
        maxBackoffMs = try c.decodeIfPresent(Int64.self, forKey: .maxBackoffMs)
    }
}

extension JobManifest.History {
    enum CodingKeys: String, CodingKey, CaseIterable { case succeeded, failed }

    /// Decodes history limits, refusing unknown keys.
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        succeeded = try c.decodeIfPresent(Int32.self, forKey: .succeeded)
        failed = try c.decodeIfPresent(Int32.self, forKey: .failed)
    }
}
