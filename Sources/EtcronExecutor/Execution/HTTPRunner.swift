import EtcronCore
import EtcronProto
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs attempts of an http target with URLSession: the run ID goes in the
/// `Idempotency-Key` header, the scheduled time in `X-Etcron-Scheduled-Time`, and the
/// attempt number in `X-Etcron-Attempt`. The response body's last bytes are the output.
///
/// A timeout or a stop cancels the request.
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
        let startedAt = Date()
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
        let delegate = HTTPAttemptDelegate(capacity: capacity) { fence.vet($0, policy: policy) }
        let session = URLSession(configuration: Self.configuration, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: Self.pinned(request(url, context), to: addresses))
        let timeout = context.request.attemptTimeout
        let stop = context.stop
        // Unstructured, like the exec watchdog: the stop signal carries cancellation.
        let watchdog = Task {
            let interruption = await Interruption.next(timeout: timeout, stop: stop)
            if interruption != nil { task.cancel() }
            return interruption
        }
        task.resume()
        await context.didStart(startedAt)
        let completion = await delegate.completion()
        watchdog.cancel()
        let interruption = await watchdog.value
        let summary = summarize(completion, interruption: interruption, method: method)
        return AttemptResult(
            result: summary.result,
            startedAt: startedAt,
            finishedAt: completion.finishedAt,
            httpStatus: completion.status,
            output: completion.body,
            message: summary.message
        )
    }

    /// A plain-http request sent to the address that was checked, the URL's host in the
    /// `Host` header, so that the name cannot resolve elsewhere by the time it connects;
    /// an https one as it is (its certificate is checked against the name).
    static func pinned(_ request: URLRequest, to addresses: [[UInt8]]) -> URLRequest {
        guard let url = request.url, url.scheme?.lowercased() == "http", let host = url.host, IPNetwork.address(host) == nil,
            let address = addresses.first, var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        else { return request }
        let text = IPNetwork.text(IPNetwork.unmapped(address))
        components.host = text.contains(":") ? "[\(text)]" : text
        guard let pinnedURL = components.url else { return request }
        var pinned = request
        pinned.url = pinnedURL
        pinned.setValue(url.port.map { "\(host):\($0)" } ?? host, forHTTPHeaderField: "Host")
        return pinned
    }

    /// The method: as given (upper-cased), else POST with a body and GET without.
    var method: String {
        target.method.isEmpty ? (target.body.isEmpty ? "GET" : "POST") : target.method.uppercased()
    }

    private func request(_ url: URL, _ context: AttemptContext) -> URLRequest {
        var request = URLRequest(url: url)
        request.httpMethod = method
        // URLSession's own timeout only bounds idle time; the watchdog enforces the
        // attempt's timeout. Without one, an idle connection may wait a week.
        request.timeoutInterval = context.request.attemptTimeout.map { $0 / .seconds(1) + 5 } ?? 7 * 24 * 3600
        if !target.body.isEmpty { request.httpBody = target.body }
        request.setValue("etcron", forHTTPHeaderField: "User-Agent")
        for (name, value) in target.headers.sorted(by: { $0.key < $1.key }) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        request.setValue(context.request.runID, forHTTPHeaderField: "Idempotency-Key")
        request.setValue(RFC3339.utc(unix: context.request.scheduledUnix), forHTTPHeaderField: "X-Etcron-Scheduled-Time")
        request.setValue(String(context.number), forHTTPHeaderField: "X-Etcron-Attempt")
        return request
    }

    private static let configuration: URLSessionConfiguration = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        return configuration
    }()

    struct Summary: Equatable {
        var result: RunResult
        var message: String
    }

    func summarize(_ completion: HTTPAttemptDelegate.Completion, interruption: Interruption?, method: String) -> Summary {
        let statusText = completion.status.map { "HTTP \($0)" }
        if let interruption {
            let partial = statusText.map { " (\($0) received, body unfinished)" } ?? ""
            switch interruption {
            case .timedOut(let timeout):
                return Summary(result: .timedOut, message: "no complete response within the \(ExecutionText.duration(timeout)) timeout\(partial)")
            case .stopped(let reason):
                return Summary(result: .stopped, message: "\(reason): request cancelled\(partial)")
            }
        }
        if let refusal = completion.refusal {
            return Summary(result: .failed, message: "\(method) \(target.url): redirect refused: \(refusal)")
        }
        if let error = completion.error {
            return Summary(result: .failed, message: "\(method) \(target.url) failed: \(Self.describe(error))")
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

    /// A transport error in words, with its code for searching.
    static func describe(_ error: any Error) -> String {
        let error = error as NSError
        guard error.domain == NSURLErrorDomain else { return error.localizedDescription }
        let words: String
        switch error.code {
        case NSURLErrorCannotConnectToHost: words = "connection refused (cannot connect to host)"
        case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed: words = "host not found (DNS lookup failed)"
        case NSURLErrorTimedOut: words = "timed out"
        case NSURLErrorNetworkConnectionLost: words = "connection lost"
        case NSURLErrorNotConnectedToInternet: words = "no network"
        case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted,
             NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateNotYetValid,
             NSURLErrorServerCertificateHasUnknownRoot:
            words = "TLS failed (\(error.localizedDescription))"
        case NSURLErrorBadServerResponse: words = "bad server response"
        case NSURLErrorCancelled: words = "cancelled"
        default: words = error.localizedDescription
        }
        return "\(words) [NSURLErrorDomain \(error.code)]"
    }
}
