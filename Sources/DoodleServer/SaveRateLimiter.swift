import Foundation
import Hummingbird
import Synchronization

/// How many drawings one client may save: `perMinute` on average, in bursts of up to `burst`.
public struct SaveLimits: Sendable {
    /// Saves a minute, on average, per client address.
    public var perMinute: Double
    /// Saves a client may make at once before the average applies (a teaching session's drawings).
    public var burst: Int

    /// 30 a minute, bursts of 20: a player at play never meets it; a script filling the store does.
    public init(perMinute: Double = 30, burst: Int = 20) {
        self.perMinute = perMinute
        self.burst = burst
    }
}

/// A token bucket per client address.
final class SaveRateLimiter: Sendable {
    let limits: SaveLimits
    private let buckets = Mutex<[String: (tokens: Double, updated: ContinuousClock.Instant)]>([:])

    init(_ limits: SaveLimits) { self.limits = limits }

    /// Takes `count` saves from `client`'s bucket; nil when it may save, else the seconds until it may.
    func take(_ client: String, count: Int = 1, now: ContinuousClock.Instant = .now) -> Int? {
        // A request for more than the burst takes the whole burst: it waits for a full bucket, and no longer.
        let needed = Double(min(max(count, 1), limits.burst))
        let (rate, burst) = (limits.perMinute / 60, Double(limits.burst))
        return buckets.withLock { buckets in
            if buckets.count > 100_000 { buckets.removeAll() }  // bounded memory, whoever asks
            var bucket = buckets[client] ?? (burst, now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket = (min(burst, bucket.tokens + seconds * rate), now)
            defer { buckets[client] = bucket }
            guard bucket.tokens >= needed else {
                return max(1, Int(((needed - bucket.tokens) / rate).rounded(.up)))
            }
            bucket.tokens -= needed
            return nil
        }
    }
}

extension SaveRateLimiter {
    /// Takes `count` saves for `client`, or throws 429 with `Retry-After` saying when to try again.
    func admit(_ client: String, count: Int = 1) throws {
        guard let wait = take(client, count: count) else { return }
        throw HTTPError(
            .tooManyRequests, headers: [.retryAfter: "\(wait)"],
            message:
                "too many drawings saved from this address: at most \(limits.burst) at once and "
                + "\(String(format: "%g", limits.perMinute)) a minute; try again in \(wait) s")
    }
}
