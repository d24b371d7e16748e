@testable import EtcronAPI
import EtcronAPIModel
import Foundation
import Testing

/// `JobJSON` writes the bytes the generated server would write through Foundation's
/// `JSONEncoder` (sorted keys, unescaped slashes, the API's dates), for every field of a
/// job: the fixture below sets every optional field of the contract's `Job` (checked), so
/// a field added to the contract but not to `JobJSON` fails here.
@Suite("JobJSON")
struct JobJSONTests {
    static func foundation<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(APIDates.string(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static let awkward = "quote \" backslash \\ slash / newline \n tab \t return \r bell \u{7} nul \u{0} unit \u{1f} del \u{7f} é 😀 \u{2028}"

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// A job with every optional field of the contract set.
    static var full: Components.Schemas.Job {
        let era = Components.Schemas.ScheduleEra(
            schedule: "@every 90s", timeZone: "Europe/Berlin", everyAnchor: date(1_700_000_000_000),
            since: date(1_700_000_000_123), until: date(1_700_000_100_999))
        let metadata = Components.Schemas.JobMetadata(
            createdAt: date(1_690_000_000_001), createdBy: "team-a", createRevision: "17", updatedAt: date(1_690_000_500_250),
            updatedBy: "root", scheduleSince: date(1_690_000_500_000), everyAnchor: date(1_690_000_000_000),
            lastSuspendChange: .init(action: .suspend, at: date(1_690_000_400_000), by: "view/a", note: awkward),
            scheduleHistory: [era, era])
        let status = Components.Schemas.JobStatus(
            decidedThrough: date(1_700_000_000_000), specRevision: "41", lastInvokedAt: date(1_699_999_000_000), invocations: 12_345,
            skips: 3, lastErrorAt: date(1_699_000_000_000), nextScheduledAt: date(1_700_000_090_000), pendingTriggers: 2)
        let target = Components.Schemas.Target(
            exec: .init(
                command: "/usr/bin/env", args: ["a b", awkward, ""], env: .init(additionalProperties: ["PATH": "/bin", "a10": "x", "a9": "y", "B": "z"]),
                workingDirectory: "/tmp/x"),
            http: .init(
                method: "POST", url: "https://example.com/hook?a=1&b=/2",
                headers: .init(additionalProperties: ["X-Token": awkward, "accept": "application/json", "Content-Type": "text/plain"]),
                body: #"{"k": "v"}"#, expectedStatus: [200, 202, 299]))
        return Components.Schemas.Job(
            tenant: "a", name: "nightly-backup", schedule: "0 3 * * *", timeZone: "America/New_York", concurrencyPolicy: .Forbid,
            startingDeadlineSeconds: 120, suspend: true, target: target,
            retry: .init(maxRetries: 3, initialBackoffMs: 500, maxBackoffMs: 60_000), attemptTimeoutSeconds: 3600,
            history: .init(succeeded: 5, failed: 2), labels: .init(additionalProperties: ["team": "db", "Tier": "1", "tier2": "x", "app.kubernetes.io/name": "y"]),
            description: awkward, owner: "db-team@example.com", resourceVersion: "42", metadata: metadata, status: status)
    }

    /// The names of optional properties left nil anywhere in `value`.
    static func unset(_ value: Any, path: String = "") -> [String] {
        var missing: [String] = []
        for child in Mirror(reflecting: value).children {
            let name = path + "." + (child.label ?? "?")
            let mirror = Mirror(reflecting: child.value)
            if mirror.displayStyle == .optional {
                guard let wrapped = mirror.children.first?.value else {
                    missing.append(name)
                    continue
                }
                missing += unset(wrapped, path: name)
            } else if mirror.displayStyle == .struct {
                missing += unset(child.value, path: name)
            } else if mirror.displayStyle == .collection, let first = mirror.children.first?.value, Mirror(reflecting: first).displayStyle == .struct {
                missing += unset(first, path: name + "[0]")
            }
        }
        return missing
    }

    @Test("the fixture sets every optional field of Job")
    func fixtureIsComplete() {
        #expect(Self.unset(Self.full) == [])
        var partial = Self.full
        partial.metadata.updatedBy = nil
        partial.target.http?.headers = nil
        #expect(Set(Self.unset(partial)) == [".metadata.updatedBy", ".target.http.headers"])
    }

    @Test("a job with every field: the same bytes as JSONEncoder")
    func fullJob() throws {
        let job = Self.full
        #expect(String(decoding: JobJSON.encode(job), as: UTF8.self) == (try Self.foundation(job)))
    }

    @Test("a minimal job, an empty target, empty maps and lists: the same bytes")
    func minimalJob() throws {
        let metadata = Components.Schemas.JobMetadata(createdAt: Self.date(0), createRevision: "1", updatedAt: Self.date(-1500))
        var job = Components.Schemas.Job(
            tenant: "t", name: "n", schedule: "* * * * *", target: .init(), resourceVersion: "1", metadata: metadata)
        #expect(String(decoding: JobJSON.encode(job), as: UTF8.self) == (try Self.foundation(job)))
        job.labels = .init(additionalProperties: [:])
        job.target = .init(exec: .init(command: "/bin/true", args: [], env: .init()))
        job.metadata.scheduleHistory = []
        job.status = .init(invocations: 0, skips: 0, pendingTriggers: 0)
        #expect(String(decoding: JobJSON.encode(job), as: UTF8.self) == (try Self.foundation(job)))
    }

    @Test("a page: items, continue token and skipped records, or none of them")
    func list() throws {
        var second = Self.full
        second.name = "other"
        second.status = nil
        let list = Components.Schemas.JobList(
            items: [Self.full, second], _continue: "b3BhcXVl/+=", skippedRecords: [.init(key: "/etcron/jobs/a/x/spec", reason: Self.awkward)])
        #expect(String(decoding: JobJSON.encode(list), as: UTF8.self) == (try Self.foundation(list)))
        let empty = Components.Schemas.JobList(items: [])
        #expect(String(decoding: JobJSON.encode(empty), as: UTF8.self) == (try Self.foundation(empty)))
    }

    @Test("every ASCII control character and a spread of Unicode, escaped as Foundation escapes them")
    func strings() throws {
        var job = Self.full
        job.description = String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }) + "\u{80}\u{ff}\u{fffd}\u{10ffff}"
        #expect(String(decoding: JobJSON.encode(job), as: UTF8.self) == (try Self.foundation(job)))
    }
}
