import EtcronAPI

/// A signed-in visitor: the API token in force that its cookie holds.
struct WebSession: Sendable {
    /// What the layout shows of the session.
    struct View {
        var name: String
        var role: String
        var scope: String?
        var formToken: String
    }

    /// The token's entry (name, role, tenants).
    let token: APIToken
    /// The token as presented (the key of the form token).
    let presented: String

    /// The token every form of this session's pages carries.
    var formToken: String { FormProtection.formToken(for: presented) }

    var view: View {
        View(name: token.name, role: token.role.rawValue, scope: token.tenants.map { $0.sorted().joined(separator: ", ") }, formToken: formToken)
    }
}
