import EtcronCore

// The job manifest of the contract (generated from openapi.yaml) and etcron's own
// (`JobManifest`, which `etcron apply` reads and validates) have the same fields; these
// map one onto the other, so every rule about a job lives in the core only.

extension JobManifest {
    /// The manifest of a request body (its server-set fields, `resourceVersion`,
    /// `metadata` and `status`, are not part of a manifest).
    public init(_ body: Components.Schemas.JobManifest) {
        self.init()
        tenant = body.tenant
        name = body.name
        schedule = body.schedule
        timeZone = body.timeZone
        concurrencyPolicy = body.concurrencyPolicy.map { ConcurrencyPolicy(rawValue: $0.rawValue) ?? .allow }
        startingDeadlineSeconds = body.startingDeadlineSeconds
        suspend = body.suspend
        target = body.target.map(Target.init)
        retry = body.retry.map { Retry(maxRetries: $0.maxRetries, initialBackoffMs: $0.initialBackoffMs, maxBackoffMs: $0.maxBackoffMs) }
        attemptTimeoutSeconds = body.attemptTimeoutSeconds
        history = body.history.map { History(succeeded: $0.succeeded, failed: $0.failed) }
        labels = body.labels?.additionalProperties
        description = body.description
        owner = body.owner
    }
}

extension JobManifest.Target {
    public init(_ body: Components.Schemas.Target) {
        self.init(
            exec: body.exec.map {
                JobManifest.Exec(command: $0.command, args: $0.args, env: $0.env?.additionalProperties, workingDirectory: $0.workingDirectory)
            },
            http: body.http.map {
                JobManifest.HTTP(method: $0.method, url: $0.url, headers: $0.headers?.additionalProperties, body: $0.body, expectedStatus: $0.expectedStatus)
            })
    }
}

extension Components.Schemas.Target {
    public init(_ target: JobManifest.Target) {
        self.init(
            exec: target.exec.map {
                .init(command: $0.command, args: $0.args, env: $0.env.map { .init(additionalProperties: $0) }, workingDirectory: $0.workingDirectory)
            },
            http: target.http.map {
                .init(
                    method: $0.method, url: $0.url, headers: $0.headers.map { .init(additionalProperties: $0) }, body: $0.body,
                    expectedStatus: $0.expectedStatus)
            })
    }
}

extension Components.Schemas.JobManifest {
    /// The body of a stored job's manifest, e.g. to apply a merge patch to.
    public init(_ manifest: JobManifest) {
        self.init(
            tenant: manifest.tenant, name: manifest.name, schedule: manifest.schedule, timeZone: manifest.timeZone,
            concurrencyPolicy: manifest.concurrencyPolicy.flatMap { .init(rawValue: $0.rawValue) },
            startingDeadlineSeconds: manifest.startingDeadlineSeconds, suspend: manifest.suspend,
            target: manifest.target.map(Components.Schemas.Target.init),
            retry: manifest.retry.map { .init(maxRetries: $0.maxRetries, initialBackoffMs: $0.initialBackoffMs, maxBackoffMs: $0.maxBackoffMs) },
            attemptTimeoutSeconds: manifest.attemptTimeoutSeconds,
            history: manifest.history.map { .init(succeeded: $0.succeeded, failed: $0.failed) },
            labels: manifest.labels.map { .init(additionalProperties: $0) },
            description: manifest.description, owner: manifest.owner)
    }
}
