import EtcronCore
import EtcronProto
import Foundation

/// Runs attempts of an http target on the replica's shared HTTP client
/// (`HTTPTargetClient`, async-http-client): the run ID goes in the
/// `Idempotency-Key` header, the scheduled time in `X-Etcron-Scheduled-Time`, and the
/// attempt number in `X-Etcron-Attempt`. The response body's last bytes are the output.
///
/// The attempt starts when its request goes out: until its host's gate (`HTTPHostGate`)
/// lets it in, it waits, with its timeout not yet running and its start not yet recorded,
/// so a herd of runs to one host neither times out runs that never reached it nor hides
/// the wait from their start delay. A timeout or a stop cancels the request (or the wait;
/// `HTTPExchange` sends it).
struct HTTPRunner: AttemptRunner {
    let target: Etcron_V1_HttpTarget

    /// Why the target can never run, or nil.
    static func problem(in target: Etcron_V1_HttpTarget) -> String? {
        guard let url = URL(string: target.url), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else {
            return "http target: url \"\(target.url)\" is not an absolute http or https URL"
        }
        if !target.method.isEmpty, !target.method.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) {
            return "http target: method \"\(target.method)\" is not a valid HTTP method"
        }
        for (name, value) in target.headers.sorted(by: { $0.key < $1.key }) {
            let invalidName = name.isEmpty || name.contains { !$0.isASCII || $0.isWhitespace || $0 == ":" || $0.isNewline }
            if invalidName { return "http target: header name \"\(name)\" is invalid" }
            if value.contains(where: { $0.isNewline || $0 == "\0" }) {
                return "http target: header \(name) has a line break or NUL in its value"
            }
        }
        if let status = target.expectedStatus.first(where: { !(100...599).contains($0) }) {
            return "http target: expected_status \(status) is not an HTTP status"
        }
        return nil
    }

    func runAttempt(_ context: AttemptContext) async -> AttemptResult {
        let capacity = context.settings.outputLimit
        guard let url = URL(string: target.url) else {
            return .notStarted("http target: url \"\(target.url)\" is invalid", capacity: capacity)
        }
        if let refusal = context.request.policyRefusal { return .notStarted(refusal, capacity: capacity) }
        let fence = context.settings.httpFence
        let policy = context.request.targetPolicy
        let addresses: [[UInt8]]
        switch fence.vet(url, policy: policy) {
        case .success(let vetted): addresses = vetted
        case .failure(let refusal): return .notStarted("http target refused: \(refusal)", capacity: capacity)
        }
        let exchange = HTTPExchange(
            url: url, method: method, headers: headers(context), body: target.body, addresses: addresses, capacity: capacity,
            vet: { fence.vet($0, policy: policy) }, http: context.settings.http)
        // The attempt starts when its request goes out (the gate let it in): the request's
        // own task arms the timeout and records the start then, without another hop.
        let watchdog = AttemptWatchdog<HTTPExchange.Completion>(stop: context.stop)
        let timeout = context.request.attemptTimeout
        let didStart = context.didStart
        // Unstructured, like the exec watchdog: the stop signal carries cancellation.
        watchdog.watch(Task {
            await exchange.perform { sentAt in
                watchdog.arm(timeout: timeout)
                await didStart(sentAt)
            }
        })
        let (completion, interruption) = await watchdog.finish()
        let summary = summarize(completion, interruption: interruption, method: method)
        return AttemptResult(
            result: summary.result,
            startedAt: completion.sentAt ?? completion.finishedAt,
            finishedAt: completion.finishedAt,
            httpStatus: completion.status,
            output: completion.body,
            message: summary.message
        )
    }

    /// The method: as given (upper-cased), else POST with a body and GET without.
    var method: String {
        target.method.isEmpty ? (target.body.isEmpty ? "GET" : "POST") : target.method.uppercased()
    }

    /// The headers sent, later ones replacing earlier ones of the same name: etcron's
    /// User-Agent, the target's own, then the run's identity, which a target cannot change.
    private func headers(_ context: AttemptContext) -> [(String, String)] {
        [("User-Agent", "etcron")] + target.headers.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) } + [
            ("Idempotency-Key", context.request.runID),
            ("X-Etcron-Scheduled-Time", ExecutionText.scheduledTime(unix: context.request.scheduledUnix)),
            ("X-Etcron-Attempt", String(context.number)),
        ]
    }

    struct Summary: Equatable {
        var result: RunResult
        var message: String
    }

    func summarize(_ completion: HTTPExchange.Completion, interruption: Interruption?, method: String) -> Summary {
        let statusText = completion.status.map { "HTTP \($0)" }
        if let interruption {
            let partial = statusText.map { " (\($0) received, body unfinished)" } ?? ""
            switch interruption {
            case .timedOut(let timeout):
                return Summary(result: .timedOut, message: "no complete response within the \(ExecutionText.duration(timeout)) timeout\(partial)")
            case .stopped(let reason) where completion.sentAt == nil:
                let host = URL(string: target.url)?.host ?? target.url
                return Summary(result: .stopped, message: "\(reason): not sent (it waited for a free connection to \(host))")
            case .stopped(let reason):
                return Summary(result: .stopped, message: "\(reason): request cancelled\(partial)")
            }
        }
        if let refusal = completion.refusal {
            return Summary(result: .failed, message: "\(method) \(target.url): redirect refused: \(refusal)")
        }
        if let error = completion.error {
            return Summary(result: .failed, message: "\(method) \(target.url) failed: \(HTTPFailureText.describe(error))")
        }
        guard let status = completion.status else {
            return Summary(result: .failed, message: "\(method) \(target.url) returned no HTTP response")
        }
        let expected = target.expectedStatus.map(Int.init)
        if expected.isEmpty ? (200...299).contains(status) : expected.contains(status) {
            return Summary(result: .succeeded, message: "HTTP \(status)")
        }
        let wanted = expected.isEmpty ? "2xx" : Self.list(expected.map(String.init))
        return Summary(result: .failed, message: "HTTP \(status), expected \(wanted)")
    }

    /// `201`, `200 or 204`, `200, 201 or 204`.
    private static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + items[items.count - 1]
    }
}
