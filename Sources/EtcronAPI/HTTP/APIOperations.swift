import EtcronAPIModel
import EtcronCore

/// The `/v1` operations for another front end served next to the API (the dashboard at
/// `/`): the same handler, so the same tenant scoping, roles, authors and errors, called
/// in-process as a token instead of over HTTP.
public struct APIOperations: Sendable {
    let handler: APIHandler
    /// The tokens in force; nil when no token file is configured (nobody signs in).
    public let tokens: APITokenStore?
    let limiter: RateLimiter

    /// The job store the operations use (for readers the contract has no operation for,
    /// called only for jobs an operation listed).
    public var store: JobStore { handler.store }

    /// The token `presented` is, if it is in force now.
    public func token(_ presented: String) -> APIToken? {
        tokens?.book.entry(for: presented)
    }

    /// Counts one request of `token` against its rate limit.
    /// - Throws: `APIError` 429 `rateLimited` (with `Retry-After`) when it is over.
    public func admit(_ token: APIToken) throws(APIError) {
        if let refusal = limiter.refusal(for: token) { throw refusal }
    }

    /// Runs `body` with the operations as `token`; operations throw `APIError` (the
    /// contract's error: status, code, field and message) or a store error.
    public func perform<Value: Sendable>(as token: APIToken, _ body: @Sendable (any APIProtocol) async throws -> Value) async throws -> Value {
        try await APICaller.$token.withValue(token) { try await body(handler) }
    }

    /// One page of the jobs `token` sees, as `GET /v1/jobs` lists them (the same scope,
    /// label selector and continue tokens), as stored records, and the next page's token.
    public func jobPage(
        as token: APIToken, tenant: String?, labelSelector: String?, limit: Int, continue next: String?
    ) async throws -> (page: JobPage, next: String?) {
        try await perform(as: token) { _ in
            try await handler.jobPage(tenant: tenant, labelSelector: labelSelector, limit: limit, continue: next)
        }
    }

    /// The job `tenant/name` with its status and latest `history` decisions and runs, if
    /// `token` sees it (404 `notFound` otherwise, exactly as for an absent job).
    public func describe(as token: APIToken, tenant: String, name: String, history: Int) async throws -> JobDescription {
        try await perform(as: token) { _ in
            _ = try handler.caller(seeing: tenant)
            try APIHandler.checkName(name, parameter: "name")
            return try await handler.describe(tenant: tenant, name: name, history: min(history, JobStore.maximumHistoryLimit))
        }
    }
}
