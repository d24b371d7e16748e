import EtcronProto
import Foundation

// Manifest ⇄ stored spec. Fields at their default are left out of the manifest, so
// spec → manifest → spec is exact (except the server-set `every_anchor_unix` and
// `created_at_unix_ms`, which a manifest does not carry and `JobStore.apply` keeps).

extension JobManifest {
    /// The manifest of a stored spec, as `etcron get -o yaml` prints it.
    public init(_ spec: Etcron_V1_JobSpec) {
        self.init()
        tenant = spec.tenant
        name = spec.name
        schedule = spec.schedule
        timeZone = spec.timeZone.nilIfEmpty
        concurrencyPolicy = ConcurrencyPolicy(spec.concurrencyPolicy)
        startingDeadlineSeconds = spec.startingDeadlineSeconds.nilIfZero
        suspend = spec.suspend ? true : nil
        if spec.hasTarget { target = Target(spec.target) }
        if spec.hasRetry {
            retry = Retry(
                maxRetries: spec.retry.maxRetries.nilIfZero,
                initialBackoffMs: spec.retry.initialBackoffMs.nilIfZero,
                maxBackoffMs: spec.retry.maxBackoffMs.nilIfZero)
        }
        attemptTimeoutSeconds = spec.attemptTimeoutSeconds.nilIfZero
        if spec.hasHistory {
            history = History(succeeded: spec.history.succeeded.nilIfZero, failed: spec.history.failed.nilIfZero)
        }
        labels = spec.labels.isEmpty ? nil : spec.labels
        description = spec.description_p.nilIfEmpty
        owner = spec.owner.nilIfEmpty
    }

    /// The stored form, checked: every problem of the manifest and of the spec it makes.
    /// - Throws: ``JobValidationError`` listing every problem (field path and reason).
    public func validatedSpec() throws(JobValidationError) -> Etcron_V1_JobSpec {
        let (spec, problems) = converted()
        let all = problems + JobValidation.problems(in: spec)
        guard all.isEmpty else { throw JobValidationError(problems: all) }
        return spec
    }

    /// The stored form without checks: for a manifest that was checked where it was
    /// stored (a job read back through the API).
    public var uncheckedSpec: Etcron_V1_JobSpec { converted().spec }

    /// The stored form without checks, and the problems only a manifest can have (a target
    /// naming both exec and http; the spec keeps exec).
    func converted() -> (spec: Etcron_V1_JobSpec, problems: [JobValidationProblem]) {
        var spec = Etcron_V1_JobSpec()
        var problems: [JobValidationProblem] = []
        spec.tenant = tenant ?? ""
        spec.name = name ?? ""
        spec.schedule = schedule ?? ""
        spec.timeZone = timeZone ?? ""
        spec.concurrencyPolicy = concurrencyPolicy?.proto ?? .unspecified
        spec.startingDeadlineSeconds = startingDeadlineSeconds ?? 0
        spec.suspend = suspend ?? false
        if let target {
            if target.exec != nil, target.http != nil {
                problems.append(JobValidationProblem(field: "target", reason: "exactly one of exec or http is required, not both"))
            }
            spec.target = target.proto
        }
        if let retry {
            spec.retry.maxRetries = retry.maxRetries ?? 0
            spec.retry.initialBackoffMs = retry.initialBackoffMs ?? 0
            spec.retry.maxBackoffMs = retry.maxBackoffMs ?? 0
        }
        spec.attemptTimeoutSeconds = attemptTimeoutSeconds ?? 0
        if let history {
            spec.history.succeeded = history.succeeded ?? 0
            spec.history.failed = history.failed ?? 0
        }
        spec.labels = labels ?? [:]
        spec.description_p = description ?? ""
        spec.owner = owner ?? ""
        return (spec, problems)
    }
}

extension JobManifest.ConcurrencyPolicy {
    /// The manifest value of a stored policy; nil for unspecified (Allow) and unknown values.
    init?(_ proto: Etcron_V1_ConcurrencyPolicy) {
        switch proto {
        case .allow: self = .allow
        case .forbid: self = .forbid
        case .replace: self = .replace
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }

    /// The stored value.
    var proto: Etcron_V1_ConcurrencyPolicy {
        switch self {
        case .allow: .allow
        case .forbid: .forbid
        case .replace: .replace
        }
    }
}

extension JobManifest.Target {
    init(_ proto: Etcron_V1_Target) {
        self.init()
        switch proto.kind {
        case .exec(let exec):
            self.exec = JobManifest.Exec(
                command: exec.command.nilIfEmpty,
                args: exec.args.isEmpty ? nil : exec.args,
                env: exec.env.isEmpty ? nil : exec.env,
                workingDirectory: exec.workingDirectory.nilIfEmpty)
        case .http(let http):
            // A body that is not UTF-8 cannot be written in a manifest; it is shown lossily.
            self.http = JobManifest.HTTP(
                method: http.method.nilIfEmpty,
                url: http.url.nilIfEmpty,
                headers: http.headers.isEmpty ? nil : http.headers,
                body: http.body.isEmpty ? nil : String(decoding: http.body, as: UTF8.self),
                expectedStatus: http.expectedStatus.isEmpty ? nil : http.expectedStatus)
        case nil:
            break
        }
    }

    var proto: Etcron_V1_Target {
        var target = Etcron_V1_Target()
        if let exec {
            var value = Etcron_V1_ExecTarget()
            value.command = exec.command ?? ""
            value.args = exec.args ?? []
            value.env = exec.env ?? [:]
            value.workingDirectory = exec.workingDirectory ?? ""
            target.exec = value
        } else if let http {
            var value = Etcron_V1_HttpTarget()
            value.method = http.method ?? ""
            value.url = http.url ?? ""
            value.headers = http.headers ?? [:]
            value.body = Data((http.body ?? "").utf8)
            value.expectedStatus = http.expectedStatus ?? []
            target.http = value
        }
        return target
    }
}

fileprivate extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

fileprivate extension BinaryInteger {
    var nilIfZero: Self? { self == 0 ? nil : self }
}
