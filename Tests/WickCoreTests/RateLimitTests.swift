import Testing
import WickCore
import WickUnits

@Suite struct RateLimitTests {
    @Test func burstWithinIntervalThenANewWindow() {
        var limit = RateLimit(interval: .seconds(2), burst: 3)
        let allowed = [0, 0.5, 1, 1.9, 2.1].map { limit.allow(now: .seconds($0)) }
        #expect(allowed == [true, true, true, false, true])
    }

    @Test func zeroDisables() {
        var limit = RateLimit(interval: .zero, burst: 1)
        let allowed = (0..<100).map { _ in limit.allow(now: .seconds(0)) }
        #expect(!allowed.contains(false))
    }
}
