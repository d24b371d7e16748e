import EtcdClient
import Foundation

/// One page of a job listing, in key order.
public struct JobPage: Sendable, Hashable {
    /// The page's jobs.
    public var jobs: [StoredJob]
    /// Spec records of the page's range that could not be decoded.
    public var corrupt: [CorruptRecord]
    /// The spec key to continue after for the next page; nil on the last page.
    public var nextAfterKey: String?

    /// A page.
    public init(jobs: [StoredJob], corrupt: [CorruptRecord], nextAfterKey: String?) {
        self.jobs = jobs
        self.corrupt = corrupt
        self.nextAfterKey = nextAfterKey
    }
}

extension JobStore {
    /// At most `limit` jobs of `tenants` (every tenant when nil) that `matching` accepts,
    /// in key order, starting after the spec key `afterKey`: the API's paginated list.
    ///
    /// Reads keys only, in growing chunks, and the values of spec keys only as far as the
    /// page needs (plus one job, to know whether another page follows; neighbouring specs
    /// as one range, see ``readSpecs(at:of:what:)``), so a page costs
    /// the same with 100 jobs stored or 100,000. Each chunk is read at the latest
    /// revision; a job created or deleted between pages may be missed or seen twice.
    public func page(
        tenants: [String]?, after afterKey: String?, limit: Int, matching: (StoredJob) -> Bool = { _ in true }
    ) async throws(JobStoreError) -> JobPage {
        let prefixes: [String]
        if let tenants {
            prefixes = tenants.sorted().map(keys.tenant)
        } else {
            prefixes = try await indexedTenantPrefixes(from: afterKey)
        }
        var jobs: [StoredJob] = []
        var corrupt: [CorruptRecord] = []
        let wanted = max(1, limit) + 1
        for prefix in prefixes where jobs.count < wanted {
            let end = KeyRange.prefix(prefix).end
            var start = Data(prefix.utf8)
            if let afterKey {
                if afterKey.hasPrefix(prefix) {
                    start = Data(afterKey.utf8) + [0]
                } else if afterKey > prefix {
                    continue  // past every key of this prefix: an earlier page listed it
                }
            }
            var chunk = Int64(max(64, wanted * 2))
            while jobs.count < wanted {
                var options = RangeOptions()
                options.keysOnly = true
                options.limit = chunk
                options.sortOrder = .ascending
                let response: RangeResult
                do {
                    response = try await client.range(.bytes(from: start, to: end), options: options)
                } catch {
                    throw .etcd(error, while: "listing jobs under \(prefix)")
                }
                let scanned = response.kvs.map(\.keyString)
                let specs: [(id: JobID, position: Int)] = scanned.indices.compactMap { position in
                    if case .spec(let id)? = RecordKey(scanned[position], keys: keys) { return (id, position) }
                    return nil
                }
                var next = 0
                while next < specs.count, jobs.count < wanted {
                    let batch = Array(specs[next..<min(specs.count, next + min(Self.readBatch, wanted - jobs.count + 8))])
                    next += batch.count
                    for (spec, kv) in zip(batch, try await readSpecs(at: batch.map(\.position), of: scanned, what: "listing jobs")) {
                        guard let kv else { continue }
                        switch decodeSpec(kv, spec.id) {
                        case .success(let job) where matching(job): if jobs.count < wanted { jobs.append(job) }
                        case .success: break
                        case .failure(let record): corrupt.append(record)
                        }
                    }
                }
                guard response.more, let last = response.kvs.last else { break }
                start = last.key + [0]
                chunk = min(chunk * 4, Self.scanPage)
            }
        }
        guard jobs.count > limit else { return JobPage(jobs: jobs, corrupt: corrupt, nextAfterKey: nil) }
        let page = Array(jobs.prefix(limit))
        return JobPage(jobs: page, corrupt: corrupt, nextAfterKey: page.last.map { keys.spec($0.id.tenant, $0.id.name) })
    }

    /// The job prefixes of every tenant in the tenant index, from the tenant of `afterKey`
    /// on (earlier pages listed the ones before); the whole job prefix when the index is
    /// empty (jobs written straight into etcd, before a leader filled the index in).
    private func indexedTenantPrefixes(from afterKey: String?) async throws(JobStoreError) -> [String] {
        var start = keys.tenantIndex
        if let afterKey, case .spec(let id)? = RecordKey(afterKey, keys: keys) { start = keys.tenantIndex(id.tenant) }
        var tenants: [String] = []
        do {
            try await client.rangePaged(.bytes(from: Data(start.utf8), to: KeyRange.prefix(keys.tenantIndex).end), pageSize: 1000, keysOnly: true) { kvs in
                tenants += kvs.map { String($0.keyString.dropFirst(keys.tenantIndex.count)) }
            }
        } catch {
            throw .etcd(error, while: "reading the tenant index")
        }
        if tenants.isEmpty && afterKey == nil { return [keys.jobs] }
        return tenants.filter { JobName.refusal(of: $0) == nil }.map(keys.tenant)
    }
}
