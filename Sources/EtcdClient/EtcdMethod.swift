/// The etcd gRPC methods the client calls, by their paths.
enum EtcdMethod: String, CaseIterable, Sendable {
    case range = "/etcdserverpb.KV/Range"
    case put = "/etcdserverpb.KV/Put"
    case deleteRange = "/etcdserverpb.KV/DeleteRange"
    case txn = "/etcdserverpb.KV/Txn"
    case compact = "/etcdserverpb.KV/Compact"
    case watch = "/etcdserverpb.Watch/Watch"
    case leaseGrant = "/etcdserverpb.Lease/LeaseGrant"
    case leaseRevoke = "/etcdserverpb.Lease/LeaseRevoke"
    case leaseKeepAlive = "/etcdserverpb.Lease/LeaseKeepAlive"
    case leaseTimeToLive = "/etcdserverpb.Lease/LeaseTimeToLive"
    case leaseLeases = "/etcdserverpb.Lease/LeaseLeases"
    case authenticate = "/etcdserverpb.Auth/Authenticate"
    case memberList = "/etcdserverpb.Cluster/MemberList"
    case status = "/etcdserverpb.Maintenance/Status"

    /// The short name used as a metric label, e.g. `Range`.
    var name: String { String(rawValue.split(separator: "/").last ?? "") }
}
