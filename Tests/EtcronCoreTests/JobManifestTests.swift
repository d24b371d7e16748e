import EtcronCore
import EtcronProto
import EtcronTestKit
import Foundation
import Testing

@Suite("Job manifests")
struct JobManifestTests {
    @Test("a YAML document decodes every field")
    func everyField() throws {
        let manifests = try JobManifestDecoder.decode(yaml: """
            tenant: payments
            name: settle
            schedule: "H 2 * * 1-5"
            timeZone: Europe/Berlin
            concurrencyPolicy: Forbid
            startingDeadlineSeconds: 300
            suspend: true
            target:
              exec:
                command: /usr/bin/settle
                args: ["--all", "--verbose"]
                env: {REGION: eu, RETRIES: 3}
                workingDirectory: /srv
            retry: {maxRetries: 3, initialBackoffMs: 1000, maxBackoffMs: 60000}
            attemptTimeoutSeconds: 900
            history: {succeeded: 5, failed: 20}
            labels: {team: payments}
            description: Settles invoices.
            owner: payments-oncall
            """)
        let manifest = try #require(manifests.first)
        #expect(manifests.count == 1)
        #expect(manifest.tenant == "payments")
        #expect(manifest.concurrencyPolicy == .forbid)
        #expect(manifest.target?.exec?.args == ["--all", "--verbose"])
        #expect(manifest.target?.exec?.env == ["REGION": "eu", "RETRIES": "3"])
        #expect(manifest.retry == JobManifest.Retry(maxRetries: 3, initialBackoffMs: 1000, maxBackoffMs: 60000))
        #expect(manifest.history == JobManifest.History(succeeded: 5, failed: 20))
        let spec = try manifest.validatedSpec()
        #expect(spec.target.exec.workingDirectory == "/srv")
        #expect(spec.concurrencyPolicy == .forbid)
        #expect(spec.startingDeadlineSeconds == 300)
        #expect(spec.suspend)
        #expect(spec.description_p == "Settles invoices.")
    }

    @Test("several documents and lists in one file give every job, in file order")
    func multipleDocuments() throws {
        let manifests = try JobManifestDecoder.decode(yaml: """
            ---
            tenant: a
            name: one
            ---
            - tenant: a
              name: two
            - tenant: b
              name: three
            ---
            # only a comment: an empty document
            ---
            tenant: c
            name: four
            """)
        #expect(manifests.map(\.name) == ["one", "two", "three", "four"])
        #expect(try JobManifestDecoder.decode(yaml: "").isEmpty)
        #expect(try JobManifestDecoder.decode(yaml: "---\n# nothing\n").isEmpty)
    }

    @Test("JSON is read as YAML: an object or an array")
    func json() throws {
        let manifests = try JobManifestDecoder.decode(yaml: """
            [
              {"tenant": "a", "name": "one", "schedule": "@hourly", "target": {"http": {"url": "https://x.example/run", "expectedStatus": [200]}}},
              {"tenant": "a", "name": "two", "schedule": "@daily", "target": {"exec": {"command": "/bin/true"}}}
            ]
            """)
        #expect(manifests.count == 2)
        #expect(manifests[0].target?.http?.expectedStatus == [200])
        let specs = try JobValidation.specs(from: manifests)
        #expect(specs[1].target.exec.command == "/bin/true")
    }

    @Test("unknown keys are refused at every level, naming the key, the job, the document and the line")
    func unknownKeys() throws {
        let error = try #require(throws: JobManifestError.self) {
            try JobManifestDecoder.decode(yaml: """
                tenant: a
                name: fine
                ---
                tenant: a
                name: typos
                retry:
                  maxRetrys: 3
                schedul: "* * * * *"
                target:
                  exec: {command: /bin/true, argz: [x]}
                """)
        }
        #expect(error.problems.map(\.description) == [
            #"jobs[1].retry.maxRetrys: unknown key "maxRetrys" (did you mean "maxRetries"?) (document 2, line 7)"#,
            #"jobs[1].schedul: unknown key "schedul" (did you mean "schedule"?) (document 2, line 8)"#,
            #"jobs[1].target.exec.argz: unknown key "argz" (did you mean "args"?) (document 2, line 10)"#,
        ])
    }

    @Test("a plain JSONDecoder (the HTTP API) refuses unknown keys too")
    func unknownKeysWithJSONDecoder() throws {
        let json = Data(#"{"tenant": "a", "name": "b", "target": {"http": {"url": "https://x", "header": {}}}}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JobManifest.self, from: json) }
        let good = Data(#"{"tenant": "a", "name": "b", "target": {"http": {"url": "https://x", "headers": {"A": "b"}}}}"#.utf8)
        #expect(try JSONDecoder().decode(JobManifest.self, from: good).target?.http?.headers == ["A": "b"])
    }

    @Test("wrong types and values name the field and what was found")
    func wrongTypes() throws {
        let error = try #require(throws: JobManifestError.self) {
            try JobManifestDecoder.decode(yaml: """
                - tenant: a
                  name: b
                  suspend: maybe
                - tenant: a
                  name: c
                  retry: {maxRetries: ten}
                - tenant: a
                  name: d
                  concurrencyPolicy: forbid
                - tenant: a
                  name: e
                  target: [exec]
                - just text
                """)
        }
        #expect(error.problems.map(\.description) == [
            #"jobs[0].suspend: must be true or false, not a string ("maybe") (document 1, line 3)"#,
            #"jobs[1].retry.maxRetries: must be an integer from -2147483648 to 2147483647, not a string ("ten") (document 1, line 6)"#,
            #"jobs[2].concurrencyPolicy: "forbid" is not one of Allow, Forbid, Replace (did you mean "Forbid"?) (document 1, line 9)"#,
            #"jobs[3].target: must be a mapping, not a list (document 1, line 12)"#,
            #"jobs[4]: must be a mapping of job fields, not a string ("just text") (document 1, line 13)"#,
        ])
    }

    @Test("bad YAML, a key given twice and a document that is not a job are refused with their line")
    func badDocuments() throws {
        let syntax = try #require(throws: JobManifestError.self) {
            try JobManifestDecoder.decode(yaml: "tenant: a\nname: [unclosed\n")
        }
        #expect(syntax.problems.count == 1)
        #expect(syntax.problems[0].description.contains("is not valid YAML"))
        let twice = try #require(throws: JobManifestError.self) {
            try JobManifestDecoder.decode(yaml: "tenant: a\nname: b\nname: c\n")
        }
        #expect(twice.problems.map(\.reason) == [#"key "name" is given more than once"#])
        let scalar = try #require(throws: JobManifestError.self) {
            try JobManifestDecoder.decode(yaml: "tenant: a\nname: b\n---\n42\n")
        }
        #expect(scalar.problems.map(\.description) == ["document 2, line 4: must be a job (a mapping) or a list of jobs, not an integer (42)"])
    }

    @Test("spec → manifest → spec is exact, server-set fields aside")
    func specRoundTrip() throws {
        var spec = JobFixtures.fullSpec()
        #expect(try JobManifest(spec).validatedSpec() == spec)
        var exec = JobFixtures.spec()
        exec.target.exec.args = ["a", "b"]
        exec.target.exec.env = ["A": "1"]
        exec.target.exec.workingDirectory = "/tmp"
        #expect(try JobManifest(exec).validatedSpec() == exec)
        spec.createdAtUnixMs = 1_700_000_000_000
        spec.everyAnchorUnix = 1_700_000_000
        var back = try JobManifest(spec).validatedSpec()
        back.createdAtUnixMs = spec.createdAtUnixMs
        back.everyAnchorUnix = spec.everyAnchorUnix
        #expect(back == spec)
    }

    @Test("manifest → spec → manifest is exact, and survives JSON text (what get -o json|yaml prints)")
    func manifestRoundTrip() throws {
        let text = """
            tenant: payments
            name: settle
            schedule: "@every 90s"
            concurrencyPolicy: Replace
            target: {http: {method: PUT, url: "http://svc.internal:8080/run", headers: {X-A: b}, body: "hello", expectedStatus: [204]}}
            retry: {maxRetries: 2}
            history: {failed: 3}
            labels: {team: payments}
            """
        let manifest = try #require(try JobManifestDecoder.decode(yaml: text).first)
        let printed = JobManifest(try manifest.validatedSpec())
        #expect(printed == manifest)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let json = String(decoding: try encoder.encode(printed), as: UTF8.self)
        #expect(!json.contains("suspend"), "fields at their default are left out")
        #expect(try JobManifestDecoder.decode(yaml: json) == [manifest])
    }

    @Test("a target with both exec and http is refused along with every other problem")
    func bothTargets() throws {
        var manifest = JobManifest()
        manifest.tenant = "a"
        manifest.name = "b"
        manifest.schedule = "@daily"
        manifest.target = .init(exec: .init(command: "/bin/true"), http: .init(url: "https://x"))
        manifest.retry = .init(maxRetries: -1)
        let error = try #require(throws: JobValidationError.self) { try manifest.validatedSpec() }
        #expect(error.problems.map(\.description).sorted() == [
            "retry.maxRetries: must be from 0 to 100, not -1",
            "target: exactly one of exec or http is required, not both",
        ])
    }
}
