/// One entry of the API token file: who a bearer token is, never the token itself (the
/// file holds its SHA-256).
public struct APIToken: Sendable, Hashable {
    /// The token's name, recorded as the author of every write made with it.
    public var name: String
    /// The SHA-256 of the token (32 bytes).
    public var sha256: [UInt8]
    /// What it may do.
    public var role: APIRole
    /// The tenants it may see; every tenant for `admin` (nil).
    public var tenants: Set<String>?

    /// An entry.
    public init(name: String, sha256: [UInt8], role: APIRole, tenants: Set<String>?) {
        self.name = name
        self.sha256 = sha256
        self.role = role
        self.tenants = role == .admin ? nil : tenants
    }

    /// Whether the token may see `tenant` at all. Another tenant's resources are answered
    /// exactly as absent ones (404), so this is the one check every handler makes first.
    public func sees(_ tenant: String) -> Bool {
        tenants?.contains(tenant) ?? true
    }

    /// Whether the token may write jobs of `tenant` (it sees it, and its role writes).
    public func writesJobs(of tenant: String) -> Bool {
        sees(tenant) && role.writesJobs
    }
}
