import Testing

/// Every test that runs etcd, one at a time: a 3-member cluster's raft timings must not
/// compete for the 2 cores with other clusters starting up.
@Suite("etcd", .serialized)
struct EtcdSuites {}
