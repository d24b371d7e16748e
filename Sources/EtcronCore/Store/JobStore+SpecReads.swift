import EtcdClient
import Foundation

extension JobStore {
    /// The current values of `wanted` spec keys, found by a keys-only read whose keys, in
    /// order, were `scanned` (`wanted` are positions in it, ascending); nil for a key
    /// deleted since.
    ///
    /// Specs that were neighbours in the scan (no history record between them, as in a
    /// tenant whose jobs have not run yet) are read as one range each, the rest one get
    /// each, all in Txns of at most ``readBatch`` operations: etcd reads a range of 100
    /// neighbouring specs for much less than 100 gets. A key that appears inside such a
    /// range but was not scanned (written since) is ignored, as a get would not have read it.
    func readSpecs(at wanted: [Int], of scanned: [String], what: String) async throws(JobStoreError) -> [KeyValue?] {
        var operations: [TxnOperation] = []
        var groups: [Range<Int>] = []  // positions in `wanted` each operation reads
        var first = 0
        while first < wanted.count {
            var last = first
            while last + 1 < wanted.count, wanted[last + 1] == wanted[last] + 1 { last += 1 }
            let from = scanned[wanted[first]]
            if last == first {
                operations.append(.get(.key(from)))
            } else {
                operations.append(.get(.bytes(from: Data(from.utf8), to: Data(scanned[wanted[last]].utf8) + [0])))
            }
            groups.append(first..<(last + 1))
            first = last + 1
        }
        var values: [KeyValue?] = Array(repeating: nil, count: wanted.count)
        for start in stride(from: 0, to: operations.count, by: Self.readBatch) {
            let end = min(start + Self.readBatch, operations.count)
            let result: TxnResult
            do {
                result = try await client.txn(Txn(success: Array(operations[start..<end])))
            } catch {
                throw .etcd(error, while: what)
            }
            for (group, response) in zip(groups[start..<end], result.responses) {
                var found: [String: KeyValue] = [:]
                for kv in response.range?.kvs ?? [] { found[kv.keyString] = kv }
                for position in group { values[position] = found[scanned[wanted[position]]] }
            }
        }
        return values
    }
}
