import GRPCBridge

/// The errors etcd answers with, built as the real client builds them from etcd's status.
extension InMemoryEtcd {
    /// The error the real client raises for etcd's status `code` and `message` on `method`,
    /// mapped by the same function, so that code under test sees the same code, message
    /// and status from both.
    static func error(_ code: GRPCStatus.Code, _ message: String, method: String) -> EtcdError {
        EtcdError.from(GRPCStatus(code: code, message: message), method: method)
    }

    static func futureRevision(_ method: String) -> EtcdError {
        error(.outOfRange, "etcdserver: mvcc: required revision is a future revision", method: method)
    }

    static func compacted(_ method: String) -> EtcdError {
        error(.outOfRange, "etcdserver: mvcc: required revision has been compacted", method: method)
    }

    static func emptyKey(_ method: String) -> EtcdError {
        error(.invalidArgument, "etcdserver: key is not provided", method: method)
    }

    static func leaseNotFound(_ method: String) -> EtcdError {
        error(.notFound, "etcdserver: requested lease not found", method: method)
    }

    static let tooManyOperations = error(.invalidArgument, "etcdserver: too many operations in txn request", method: "Txn")
    static let duplicateKey = error(.invalidArgument, "etcdserver: duplicate key given in txn request", method: "Txn")
    static let requestTooLarge = error(.invalidArgument, "etcdserver: request is too large", method: "Txn")
}
