import EtcdClient

/// What a read-modify-write decides from the record as read.
public enum CompareAndSwapStep<Value: Sendable>: Sendable {
    /// Nothing (more) to write: the result is `value`.
    case done(Value)
    /// Write `operations` (with `compares` beyond the record's own revision); when the
    /// transaction commits, the result is `committed(result)`.
    case write(compares: [Compare] = [], operations: [TxnOperation], committed: @Sendable (TxnResult) -> Value)
}

/// etcron's one compare-and-swap loop: read a record, decide, write only if the record is
/// still as read (its mod revision, or its absence), and on a lost race decide again from
/// what the failed transaction read back, after a backoff, a bounded number of times.
///
/// Every writer of a shared record goes through it: the job store (apply, suspend,
/// quotas, the quota guard, triggers) and the executor (claims, run reports). A lost race
/// is always someone else's successful write, so the loop ends when the decision says so
/// (`done`) or after `attempts`.
public struct CompareAndSwap: Sendable {
    /// The store.
    public var kv: any EtcdKV
    /// The record's key.
    public var key: String
    /// Writes tried before it gives up with ``CompareAndSwapError``.
    public var attempts: Int
    /// The wait between attempts (nil: none).
    public var backoff: Backoff?

    /// A loop over `key` in `kv`.
    public init(kv: any EtcdKV, key: String, attempts: Int = 16, backoff: Backoff? = nil) {
        self.kv = kv
        self.key = key
        self.attempts = attempts
        self.backoff = backoff
    }

    /// Runs the loop. `current` is the record as already read (`.some(nil)`: known absent);
    /// nil reads it first. `decide` gets the record as last read (nil: absent) and how many
    /// writes lost so far.
    public func run<Value: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        current known: KeyValue?? = nil,
        _ decide: (_ current: KeyValue?, _ conflicts: Int) async throws -> CompareAndSwapStep<Value>
    ) async throws -> Value {
        var current: KeyValue?
        if let known {
            current = known
        } else {
            current = try await kv.get(key)
        }
        for conflict in 0..<max(1, attempts) {
            if conflict > 0, let backoff { try await Task.sleep(for: backoff.delay(afterAttempt: conflict)) }
            switch try await decide(current, conflict) {
            case .done(let value):
                return value
            case .write(let compares, let operations, let committed):
                let guardCompare: Compare = current.map { .modRevision(key, .equal, $0.modRevision) } ?? .createRevision(key, .equal, 0)
                let result = try await kv.txn(Txn(compare: [guardCompare] + compares, success: operations, failure: [.get(.key(key))]))
                if result.succeeded { return committed(result) }
                current = result.responses.first?.range?.kvs.first
            }
        }
        throw CompareAndSwapError(key: key, attempts: max(1, attempts))
    }
}

/// A compare-and-swap that kept losing its race.
public struct CompareAndSwapError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The record.
    public var key: String
    /// Writes tried.
    public var attempts: Int

    /// `key` kept changing through `attempts` writes.
    public init(key: String, attempts: Int) {
        self.key = key
        self.attempts = attempts
    }

    public var description: String { "\(key) kept changing while it was being written (\(attempts) attempts)" }
}
