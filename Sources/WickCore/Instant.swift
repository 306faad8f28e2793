/// A point on the monotonic clock in nanoseconds (CLOCK_MONOTONIC). Policies take `now` as an
/// argument and never read a clock, so tests drive them with any instant they like.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }
    public static func seconds(_ s: Double) -> Instant { Instant(nanoseconds: UInt64(s * 1e9)) }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// `self + span`, saturating at the far future (`infinity` never fires).
    public func adding(_ span: TimeSpanNanoseconds) -> Instant {
        let (sum, overflow) = nanoseconds.addingReportingOverflow(span)
        return Instant(nanoseconds: overflow ? .max : sum)
    }

    public static let distantFuture = Instant(nanoseconds: .max)
    public var description: String { "\(Double(nanoseconds) / 1e9)s" }
}

public typealias TimeSpanNanoseconds = UInt64
