import Foundation
import HTTPTypes
import Synchronization

/// A token bucket per API token name: `rate` requests per second on average, bursts of
/// up to `burst`. One team's runaway script is answered 429 with `Retry-After` instead of
/// starving etcd for every tenant.
final class RateLimiter: Sendable {
    /// Requests per second, on average; 0 turns the limit off.
    let rate: Double
    /// The most requests at once.
    let burst: Double
    private let buckets = Mutex<[String: (tokens: Double, at: ContinuousClock.Instant)]>([:])

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Takes one request from `key`'s bucket; nil when allowed, else the whole seconds to
    /// wait before the next one would be.
    func take(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard rate > 0 else { return nil }
        return buckets.withLock { buckets in
            var (tokens, at) = buckets[key] ?? (burst, now)
            let elapsed = now - at
            tokens = min(burst, tokens + (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * rate)
            if tokens >= 1 {
                buckets[key] = (tokens - 1, now)
                return nil
            }
            buckets[key] = (tokens, now)
            return max(1, Int(((1 - tokens) / rate).rounded(.up)))
        }
    }

    /// Takes one request from `token`'s bucket: nil when allowed, else the 429 answer
    /// with `Retry-After`.
    func refusal(for token: APIToken) -> APIError? {
        guard let wait = take(token.name) else { return nil }
        let perSecond = rate == rate.rounded() ? String(Int(rate)) : String(rate)
        return APIError(
            .tooManyRequests, code: "rateLimited",
            "token \"\(token.name)\" sent more than \(perSecond) requests per second; retry in \(wait) s",
            headers: [.retryAfter: String(wait)])
    }
}
