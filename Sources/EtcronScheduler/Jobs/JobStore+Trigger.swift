import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

extension JobStore {
    /// The longest note a manual trigger may carry.
    public static let maximumNoteLength = 1024

    /// Asks the leader to run the job now: writes an `Etcron_V1_ManualTrigger` under
    /// `JobKeys.triggers(...)`, only if the job exists (the Txn compares the spec's create
    /// revision, so a job deleted, or deleted and created again, in between is not
    /// triggered by mistake). The leader turns the request into a manual run and deletes it.
    ///
    /// - Returns: the trigger's ID, which sorts by time: 13-digit Unix milliseconds, `-`,
    ///   8 random hex digits (`1767225600000-9f86d081`).
    /// - Throws: ``JobStoreError/Code/notFound`` when there is no such job.
    public func trigger(tenant: String, name: String, note: String = "", requestedBy: String = "") async throws(JobStoreError) -> String {
        let id = try Self.checked(tenant: tenant, name: name)
        if note.count > Self.maximumNoteLength {
            throw JobStoreError(.invalidArgument, "note: is \(note.count) characters long; at most \(Self.maximumNoteLength) are allowed")
        }
        if requestedBy.count > JobName.maximumLength {
            throw JobStoreError(.invalidArgument, "requestedBy: is \(requestedBy.count) characters long; at most \(JobName.maximumLength) are allowed")
        }
        let record = JobRecordKeys(keys, id)
        for _ in 0..<Self.maximumAttempts {
            let spec: KeyValue?
            do {
                spec = try await client.get(record.spec)
            } catch {
                throw .etcd(error, while: "reading \(id)")
            }
            guard let spec else { throw JobStoreError(.notFound, "job \(id) not found; nothing was triggered") }
            let requestedAt = nowMilliseconds
            let triggerID = Self.triggerID(unixMilliseconds: requestedAt)
            var trigger = Etcron_V1_ManualTrigger()
            trigger.note = note
            trigger.requestedAtUnixMs = requestedAt
            trigger.requestedBy = requestedBy
            let result: TxnResult
            do {
                result = try await client.txn(Txn(
                    compare: [.createRevision(record.spec, .equal, spec.createRevision)],
                    success: [.put(record.triggers + triggerID, try trigger.serializedBytes())]))
            } catch let error as EtcdError {
                throw .etcd(error, while: "triggering \(id)")
            } catch {
                throw JobStoreError(.invalidArgument, "job \(id): the trigger cannot be serialized (\(error))")
            }
            if result.succeeded { return triggerID }
        }
        throw JobStoreError(.conflict, "job \(id) kept being deleted and created while it was being triggered; try again")
    }

    /// A time-sortable unique ID: 13-digit Unix milliseconds, `-`, 8 random hex digits.
    static func triggerID(unixMilliseconds: Int64) -> String {
        let digits = String(max(0, unixMilliseconds))
        let padded = String(repeating: "0", count: max(0, 13 - digits.count)) + digits
        let random = String(UInt32.random(in: .min ... .max), radix: 16)
        return padded + "-" + String(repeating: "0", count: 8 - random.count) + random
    }
}
