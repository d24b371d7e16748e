import EtcdClient
import EtcronAPIModel
import EtcronCore
import Foundation
import Logging

/// The `/v1` operations of the contract (`APIProtocol`, generated from openapi.yaml),
/// over the core's job store and readers. Every operation is authenticated before it
/// gets here (`AuthMiddleware`); each checks the caller's tenant scope first (another
/// tenant's resources are 404, exactly as absent ones) and its role second (403).
struct APIHandler: APIProtocol {
    /// Jobs, history and quotas.
    let store: JobStore
    /// etcron's keys (cluster status).
    let keys: ReplicaKeys
    /// Whether this install accepts gameday actions (`gameday-actions`).
    var gamedayActions = false
    let logger: Logger

    /// The caller's token, refused (404) unless it sees `tenant`, which must be a DNS
    /// subdomain (400 otherwise).
    func caller(seeing tenant: String) throws -> APIToken {
        try Self.checkName(tenant, parameter: "tenant")
        let token = try APICaller.current()
        guard token.sees(tenant) else { throw APIError.notFound("no such tenant, job or run: \(tenant)") }
        return token
    }

    /// The caller's token, refused unless it may write jobs of `tenant` (404 when it does
    /// not see it, 403 when its role does not write).
    func caller(writingJobsOf tenant: String) throws -> APIToken {
        let token = try caller(seeing: tenant)
        guard token.writesJobs(of: tenant) else {
            throw APIError.forbidden("token \"\(token.name)\" is a viewer; it may not change jobs of tenant \(tenant)")
        }
        return token
    }

    /// The caller's token, refused (403) unless it is an admin of every tenant.
    func admin() throws -> APIToken {
        let token = try APICaller.current()
        guard token.role == .admin else {
            throw APIError.forbidden("token \"\(token.name)\" is \(token.role == .editor ? "an editor" : "a viewer"); only admin tokens may do this")
        }
        return token
    }

    /// The writer recorded with a job written by `token`.
    static func author(_ token: APIToken) -> JobAuthor {
        JobAuthor(name: token.name, isAdmin: token.role == .admin)
    }

    /// Refuses a path or query parameter that is not a DNS subdomain (400).
    static func checkName(_ value: String, parameter: String) throws {
        if let reason = JobName.refusal(of: value) { throw APIError.invalidParameter(parameter, reason) }
    }

    /// The page size of `limit`: 100 when absent, 1 to 1000.
    static func pageSize(_ limit: Int32?) throws -> Int {
        guard let limit else { return 100 }
        guard (1...1000).contains(limit) else { throw APIError.invalidParameter("limit", "must be from 1 to 1000, not \(limit)") }
        return Int(limit)
    }

    /// A `resourceVersion` as a revision.
    static func revision(_ text: String, field: String) throws -> Int64 {
        guard let value = Int64(text), value > 0, String(value) == text else {
            throw APIError.invalid([.init(field: field, message: "must be a revision (a positive decimal integer), not \"\(text)\"")])
        }
        return value
    }

    /// The revision an `If-Match` header names: nil when absent or `*` (any version).
    static func ifMatch(_ header: String?) throws -> Int64? {
        guard let header, header != "*" else { return nil }
        let quoted = header.count >= 2 && header.hasPrefix("\"") && header.hasSuffix("\"")
        guard let value = Int64(quoted ? String(header.dropFirst().dropLast()) : header), value > 0 else {
            throw APIError.invalidParameter("If-Match", "must be a resourceVersion (\"42\" or 42) or *, not \(header)")
        }
        return value
    }

    /// The path of a job.
    static func location(_ id: JobID) -> String { "/v1/tenants/\(id.tenant)/jobs/\(id.name)" }
}
