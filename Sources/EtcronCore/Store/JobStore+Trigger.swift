import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

extension JobStore {
    /// The longest note a manual trigger may carry.
    public static let maximumNoteLength = 1024

    /// Asks the leader to run the job now: writes an `Etcron_V1_ManualTrigger` under
    /// `JobKeys.triggers(...)`, only if the job exists (the Txn compares the spec
    /// as read, so a job deleted, or deleted and created again, in between is not
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
        do {
            // Fenced on the spec as read: a job deleted, or deleted and created again, in
            // between is not triggered by mistake.
            return try await compareAndSwap(record.spec).run { spec, _ in
                guard spec != nil else { throw JobStoreError(.notFound, "job \(id) not found; nothing was triggered") }
                let requestedAt = nowMilliseconds
                let triggerID = Self.triggerID(unixMilliseconds: requestedAt)
                var trigger = Etcron_V1_ManualTrigger()
                trigger.note = note
                trigger.requestedAtUnixMs = requestedAt
                trigger.requestedBy = requestedBy
                return .write(operations: [.put(record.triggers + triggerID, try trigger.serializedBytes())]) { _ in triggerID }
            }
        } catch {
            throw .from(error, while: "triggering \(id)", conflict: "job \(id) kept changing while it was being triggered; try again")
        }
    }

    /// A time-sortable unique ID: 13-digit Unix milliseconds, `-`, 8 random hex digits.
    static func triggerID(unixMilliseconds: Int64) -> String {
        let digits = String(max(0, unixMilliseconds))
        let padded = String(repeating: "0", count: max(0, 13 - digits.count)) + digits
        let random = String(UInt32.random(in: .min ... .max), radix: 16)
        return padded + "-" + String(repeating: "0", count: 8 - random.count) + random
    }
}
