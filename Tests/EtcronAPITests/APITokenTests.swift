@testable import EtcronAPI
import Foundation
import Logging
import Testing

/// The API token file: parsing, the refusals that name entry and field, lookup by hash,
/// and reloading while serving.
@Suite("API tokens")
struct APITokenTests {
    static let adminToken = "admin-secret-token"
    static let teamToken = "team-a-ci-token"

    static var goodFile: String {
        """
        tokens:
          - name: platform-admins
            sha256: \(APITokenBook.sha256Hex(of: adminToken))
            role: admin
          - name: team-a-ci
            sha256: \(APITokenBook.sha256Hex(of: teamToken).uppercased())
            role: editor
            tenants: [team-a, team-b]
        """
    }

    @Test("a good file gives each token its name, role and tenants; a token is found by its value, never another's")
    func lookup() throws {
        let book = APITokenBook(try APITokenFile.parse(Self.goodFile, path: "tokens.yaml"))
        let admin = try #require(book.entry(for: Self.adminToken))
        #expect(admin.name == "platform-admins" && admin.role == .admin && admin.tenants == nil && admin.sees("anyone"))
        let team = try #require(book.entry(for: Self.teamToken))
        #expect(team.role == .editor && team.tenants == ["team-a", "team-b"])
        #expect(team.sees("team-a") && !team.sees("team-c") && team.writesJobs(of: "team-b") && !team.writesJobs(of: "team-c"))
        #expect(book.entry(for: "wrong") == nil)
        #expect(book.entry(for: Self.teamToken + " ") == nil)
        #expect(book.entry(for: "") == nil)
        // The published SHA-256 of "test".
        #expect(APITokenBook.sha256Hex(of: "test") == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
    }

    @Test("every bad entry and field is named, and the file is refused whole")
    func refusals() {
        let file = """
            tokens:
              - name: Bad_Name
                sha256: abc
                role: owner
              - sha256: \(APITokenBook.sha256Hex(of: "x"))
                role: viewer
                tenant: [a]
              - name: dup
                sha256: \(APITokenBook.sha256Hex(of: "x"))
                role: editor
                tenants: []
              - name: dup
                sha256: \(APITokenBook.sha256Hex(of: "y"))
                role: viewer
                tenants: [Team_C]
            extra: 1
            """
        #expect {
            try APITokenFile.parse(file, path: "t.yaml")
        } throws: { error in
            guard let error = error as? APITokenFileError else { return false }
            let fields = error.problems.map(\.field)
            #expect(fields.contains("extra"))
            #expect(fields.contains("tokens[0].name") && fields.contains("tokens[0].sha256") && fields.contains("tokens[0].role"))
            #expect(fields.contains("tokens[1].name") && fields.contains("tokens[1].tenant") && fields.contains("tokens[1].tenants"))
            #expect(error.problems.contains { $0.field == "tokens[2].sha256" && $0.reason.contains("tokens[1]") }, "a hash used twice")
            #expect(error.problems.contains { $0.field == "tokens[2].tenants" && $0.reason.contains("required for editor") })
            #expect(error.problems.contains { $0.field == "tokens[3].name" && $0.reason.contains("tokens[2]") }, "a name used twice")
            #expect(fields.contains("tokens[3].tenants"))
            #expect(error.description.hasPrefix("API token file t.yaml: "))
            return true
        }
        for bad in ["", "- a\n- b", "tokens: 3", "tokens: [1]", "{{{"] {
            #expect(throws: APITokenFileError.self, "\(bad)") { try APITokenFile.parse(bad, path: "t.yaml") }
        }
    }

    @Test("a changed file is read again; a malformed change is refused and the last good tokens stay in force")
    func reload() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcron-tokens-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tokens.yaml").path
        try Self.goodFile.write(toFile: path, atomically: true, encoding: .utf8)
        let store = try APITokenStore(path: path, logger: Logger(label: "test"))
        #expect(store.book.entry(for: Self.teamToken) != nil)
        #expect(!store.reloadIfChanged(), "unchanged")
        let onlyAdmin = Self.goodFile.components(separatedBy: "\n").prefix(4).joined(separator: "\n")
        try onlyAdmin.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(store.reloadIfChanged())
        #expect(store.book.entry(for: Self.teamToken) == nil && store.book.entry(for: Self.adminToken) != nil)
        try "tokens: [oops]".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(!store.reloadIfChanged())
        #expect(store.book.entry(for: Self.adminToken) != nil, "the last good file stays in force")
        #expect(throws: APITokenFileError.self) { try APITokenStore(path: path, logger: Logger(label: "test")) }
        #expect(throws: APITokenFileError.self) { try APITokenStore(path: directory.appendingPathComponent("missing").path, logger: Logger(label: "test")) }
    }
}
