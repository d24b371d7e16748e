import EtcronProto
import Foundation

extension Components.Schemas.GamedayAction {
    /// The contract's form of a stored gameday action.
    public init(_ record: Etcron_V1_GamedayAction) {
        func text(_ value: String) -> String? { value.isEmpty ? nil : value }
        self.init(
            id: record.id, kind: Components.Schemas.GamedayActionKind(record.kind), requestedBy: record.requestedBy,
            requestedAt: Instants.date(milliseconds: record.requestedAtUnixMs) ?? Date(timeIntervalSince1970: 0),
            targetReplicaID: record.targetReplicaID, targetFencingToken: Instants.revision(record.targetFencingToken),
            freezeSeconds: record.freezeSeconds == 0 ? nil : record.freezeSeconds, tenant: text(record.tenant), job: text(record.job),
            runID: text(record.runID), actedAt: Instants.date(milliseconds: record.actedAtUnixMs), outcome: text(record.outcome))
    }
}

extension Components.Schemas.GamedayActionKind {
    /// The contract's name of a stored action kind (an unknown one reads as a step-down,
    /// the mildest).
    public init(_ kind: Etcron_V1_GamedayActionKind) {
        switch kind {
        case .freeze: self = .freeze
        case .crashExecutor: self = .crashExecutor
        default: self = .stepDown
        }
    }
}
