import EtcronReplica

extension JobKeys {
    /// Job keys under `prefix` (a trailing `/` is added if missing), e.g. `/etcron/`.
    public init(prefix: String) {
        self.init(ReplicaKeys(prefix: prefix))
    }
}
