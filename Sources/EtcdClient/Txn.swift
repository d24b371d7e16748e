import EtcdProto
import Foundation

/// A transaction: if every compare holds, the success operations run, else the failure
/// ones; all at one revision, atomically. Operations may themselves be transactions.
public struct Txn: Sendable, Hashable {
    /// Conditions, all of which must hold for `success` to run.
    public var compare: [Compare]
    /// Operations run when every compare holds.
    public var success: [TxnOperation]
    /// Operations run otherwise.
    public var failure: [TxnOperation]

    /// A transaction of the given parts.
    public init(compare: [Compare] = [], success: [TxnOperation] = [], failure: [TxnOperation] = []) {
        self.compare = compare
        self.success = success
        self.failure = failure
    }

    /// Operations counted as etcd counts them against `--max-txn-ops` (per branch, nested
    /// transactions included).
    public var operationCount: Int {
        max(success.map(\.operationCount).reduce(0, +), failure.map(\.operationCount).reduce(0, +))
    }

    /// The generated request, field for field. The client sends `wireBytes()` instead;
    /// this is what `TxnWireEncodingTests` holds those bytes against.
    var proto: Etcdserverpb_TxnRequest {
        var request = Etcdserverpb_TxnRequest()
        request.compare = compare.map(\.proto)
        request.success = success.map(\.proto)
        request.failure = failure.map(\.proto)
        return request
    }
}

/// One operation inside a transaction.
public enum TxnOperation: Sendable, Hashable {
    /// Read keys.
    case get(KeyRange, RangeOptions = RangeOptions())
    /// Write a value, optionally attached to a lease.
    case put(String, Data, lease: Int64 = 0, previous: Bool = false)
    /// Delete keys.
    case delete(KeyRange, previous: Bool = false)
    /// A nested transaction.
    case txn(Txn)

    var operationCount: Int {
        if case .txn(let nested) = self { return max(1, nested.operationCount) }
        return 1
    }

    var proto: Etcdserverpb_RequestOp {
        var op = Etcdserverpb_RequestOp()
        switch self {
        case .get(let keys, let options):
            op.request = .requestRange(EtcdClient.rangeRequest(keys, options))
        case .put(let key, let value, let lease, let previous):
            op.request = .requestPut(EtcdClient.putRequest(key, value: value, lease: lease, previous: previous))
        case .delete(let keys, let previous):
            op.request = .requestDeleteRange(EtcdClient.deleteRequest(keys, previous: previous))
        case .txn(let nested):
            op.request = .requestTxn(nested.proto)
        }
        return op
    }
}

/// The outcome of a transaction.
public struct TxnResult: Sendable, Hashable {
    /// The response header; its revision is the transaction's.
    public var header: ResponseHeader
    /// Whether every compare held (the success branch ran).
    public var succeeded: Bool
    /// The results of the branch that ran, in order.
    public var responses: [TxnOperationResult]

    init(header: ResponseHeader, succeeded: Bool, responses: [TxnOperationResult]) {
        self.header = header
        self.succeeded = succeeded
        self.responses = responses
    }

    init(_ proto: Etcdserverpb_TxnResponse) {
        header = ResponseHeader(proto.header)
        succeeded = proto.succeeded
        responses = proto.responses.map(TxnOperationResult.init)
    }
}

/// The result of one operation of a transaction.
public enum TxnOperationResult: Sendable, Hashable {
    case range(RangeResult)
    case put(PutResult)
    case delete(DeleteResult)
    case txn(TxnResult)
    /// An answer this client does not know (a newer etcd).
    case unknown

    init(_ proto: Etcdserverpb_ResponseOp) {
        switch proto.response {
        case .responseRange(let range): self = .range(RangeResult(range))
        case .responsePut(let put): self = .put(PutResult(put))
        case .responseDeleteRange(let delete): self = .delete(DeleteResult(delete))
        case .responseTxn(let txn): self = .txn(TxnResult(txn))
        case nil: self = .unknown
        }
    }

    /// The range result, if this was a read.
    public var range: RangeResult? {
        if case .range(let result) = self { return result }
        return nil
    }

    /// The delete result, if this was a delete.
    public var deleteRange: DeleteResult? {
        if case .delete(let result) = self { return result }
        return nil
    }

    /// The nested transaction's result, if this was one.
    public var txn: TxnResult? {
        if case .txn(let result) = self { return result }
        return nil
    }
}

extension EtcdClient {
    /// Runs a transaction.
    public func txn(_ txn: Txn, timeout: Duration? = nil) async throws(EtcdError) -> TxnResult {
        try await call(.txn, encoded: { try txn.wireBytes() }, timeout: timeout) { try ResponseWire.decode($0, ResponseWire.txn) }
    }
}
