import EtcdClient

/// The etcd client as the frozen replica's work sees it: every read, write and watch
/// response waits for the ``FreezeGate``, so the leader and the executor do nothing while
/// frozen and carry on afterwards with whatever they were doing (a fenced write then fails
/// if another replica leads meanwhile). Once the session's line is cut (``Severance``, a
/// gameday crash) every call fails, as if the process were gone.
struct FrozenKV: EtcdKV {
    let base: any EtcdKV
    let gate: FreezeGate
    let line: Severance

    func range(_ keys: KeyRange, options: RangeOptions, timeout: Duration?) async throws(EtcdError) -> RangeResult {
        await gate.wait()
        try line.check()
        return try await base.range(keys, options: options, timeout: timeout)
    }

    func txn(_ txn: Txn, timeout: Duration?) async throws(EtcdError) -> TxnResult {
        await gate.wait()
        try line.check()
        return try await base.txn(txn, timeout: timeout)
    }

    func watchStream(_ keys: KeyRange, options: WatchOptions) -> KVWatch {
        KVWatch(GatedResponses(base: base.watchStream(keys, options: options), gate: gate, line: line))
    }

    /// A watch whose responses are handed on only while the gate is open.
    private struct GatedResponses: AsyncSequence, Sendable {
        typealias Element = WatchResponse
        let base: KVWatch
        let gate: FreezeGate
        let line: Severance

        func makeAsyncIterator() -> Iterator {
            Iterator(base: base.makeAsyncIterator(), gate: gate, line: line)
        }

        struct Iterator: AsyncIteratorProtocol {
            var base: KVWatch.Iterator
            let gate: FreezeGate
            let line: Severance

            mutating func next() async throws -> WatchResponse? {
                let response = try await base.next()
                await gate.wait()
                try line.check()
                return response
            }
        }
    }
}
