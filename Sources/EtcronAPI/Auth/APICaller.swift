/// The token of the request being handled, set by `AuthMiddleware` for the handler it
/// calls (the generated server hands handlers only the operation's input).
enum APICaller {
    @TaskLocal static var token: APIToken?

    /// The caller's token.
    /// - Throws: `APIError.unauthenticated` outside an authenticated request (never
    ///   expected: every operation but the contract document is authenticated first).
    static func current() throws -> APIToken {
        guard let token else { throw APIError.unauthenticated("missing Authorization: Bearer <token>") }
        return token
    }
}
