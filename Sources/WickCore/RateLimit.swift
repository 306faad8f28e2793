import WickUnits

/// systemd's `ratelimit_below()` with the clock as an argument: at most `burst` events per
/// `interval`; the window starts at the first event and restarts after `interval` has passed.
/// Used for the start limit (systemd.unit(5) `StartLimitIntervalSec=`/`StartLimitBurst=`) and the
/// trigger limit (systemd.socket(5) `TriggerLimitIntervalSec=`/`TriggerLimitBurst=`). An interval or
/// burst of 0 disables the limit.
public struct RateLimit: Equatable, Sendable {
    public var interval: TimeSpan
    public var burst: UInt32
    private var windowStart: Instant?
    private var count: UInt32 = 0

    public init(interval: TimeSpan, burst: UInt32) {
        self.interval = interval
        self.burst = burst
    }

    /// Records one event; false when it exceeds the limit.
    public mutating func allow(now: Instant) -> Bool {
        if interval == .zero || burst == 0 { return true }
        if let start = windowStart, now < start.adding(interval.nanoseconds) {
            count += 1
            return count <= burst
        }
        windowStart = now
        count = 1
        return true
    }

    /// When the current window ends (nil before the first event).
    public var windowEnd: Instant? {
        windowStart.map { $0.adding(interval.nanoseconds) }
    }

    /// Forgets the history (`reset-failed`).
    public mutating func reset() {
        windowStart = nil
        count = 0
    }
}
