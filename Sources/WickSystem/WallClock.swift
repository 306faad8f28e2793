import Glibc

/// CLOCK_REALTIME, for the timestamps operators read (`since`, log lines). Units keep monotonic
/// instants; a wall-clock time is derived when shown, as systemd derives its `*Timestamp`
/// properties from a dual timestamp.
public enum WallClock {
    public static func microseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1000
    }

    /// The wall-clock time of a monotonic instant (CLOCK_MONOTONIC nanoseconds) in the past.
    public static func microseconds(atMonotonic nanoseconds: UInt64) -> Int64 {
        let elapsed = Int64(MonotonicClock.nanoseconds()) - Int64(nanoseconds)
        return microseconds() - elapsed / 1000
    }
}
