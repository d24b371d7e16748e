import Synchronization

/// Host names resolved a moment ago, kept for `lifetime`: a herd of runs to one target
/// resolves its name once instead of once per attempt (glibc's resolver keeps nothing, and
/// in a cluster each lookup may be several DNS queries, made on a thread the executor's
/// other runs share). Failures are not kept. At most `capacity` names are kept; past that
/// the oldest half goes.
final class HostResolutions: Sendable {
    private struct Entry {
        var addresses: [[UInt8]]
        var resolvedAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: Duration
    private let capacity: Int
    private let resolve: @Sendable (String) -> [[UInt8]]

    init(lifetime: Duration = .seconds(5), capacity: Int = 4096, resolve: @escaping @Sendable (String) -> [[UInt8]]) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.resolve = resolve
    }

    /// The addresses `host` resolves to: kept ones while fresh, else resolved now.
    func addresses(of host: String, now: ContinuousClock.Instant = .now) -> [[UInt8]] {
        if let kept = entries.withLock({ $0[host] }), now - kept.resolvedAt < lifetime { return kept.addresses }
        let addresses = resolve(host)
        guard !addresses.isEmpty else { return addresses }
        entries.withLock { entries in
            if entries.count >= capacity {
                let oldest = entries.sorted { $0.value.resolvedAt < $1.value.resolvedAt }.prefix(capacity / 2).map(\.key)
                for key in oldest { entries[key] = nil }
            }
            entries[host] = Entry(addresses: addresses, resolvedAt: now)
        }
        return addresses
    }
}
