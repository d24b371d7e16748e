import EtcdClient

/// Every quota record, read at one revision, and the ones that had to be skipped.
public struct QuotaList: Sendable, Hashable {
    /// Readable records: the default first, then tenants by name.
    public var quotas: [StoredQuota]
    /// Records that cannot be read; they count as absent.
    public var corrupt: [CorruptRecord]
    /// The revision everything was read at.
    public var revision: Int64

    /// A listing.
    public init(quotas: [StoredQuota], corrupt: [CorruptRecord], revision: Int64) {
        self.quotas = quotas
        self.corrupt = corrupt
        self.revision = revision
    }

    /// The readable records as a book.
    public var book: QuotaBook {
        var book = QuotaBook()
        for stored in quotas { book[stored.scope] = stored.quota }
        return book
    }

    /// Reads every record under ``JobKeys/quotas`` at one revision, page by page. Nothing
    /// is reported; corrupt records are returned.
    static func read(client: any EtcdKV, keys: JobKeys) async throws(JobStoreError) -> QuotaList {
        var quotas: [StoredQuota] = []
        var corrupt: [CorruptRecord] = []
        let revision: Int64
        do {
            revision = try await client.rangePaged(.prefix(keys.quotas), pageSize: 1000) { page in
                for kv in page {
                    switch StoredQuota.decode(kv, keys: keys) {
                    case .success(let stored): quotas.append(stored)
                    case .failure(let record): corrupt.append(record)
                    case nil: break
                    }
                }
            }
        } catch {
            throw .etcd(error, while: "reading the quotas")
        }
        quotas.sort { $0.scope < $1.scope }
        return QuotaList(quotas: quotas, corrupt: corrupt, revision: revision)
    }
}
