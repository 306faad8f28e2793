import Glibc
import Testing
import WickCore
@testable import WickDaemon

/// `DaemonPort.groupNumberReused`: when a unit's process group may be signalled.
@Suite struct ProcessGroupReuseTests {
    @Test func aLeaderTrackedForAnotherUnitMeansTheNumberWasReused() {
        #expect(DaemonPort.groupNumberReused(getpid(), leaderOwner: "victim.service", unit: "forky.service"))
        #expect(!DaemonPort.groupNumberReused(getpid(), leaderOwner: "forky.service", unit: "forky.service"))
    }

    /// An untracked leader number: reused when a process holds it, the unit's (or gone) otherwise.
    @Test func anUntrackedNumberIsReusedWhenAProcessHoldsIt() {
        #expect(DaemonPort.groupNumberReused(getpid(), leaderOwner: nil, unit: "forky.service"))
        let maximum = Int32((try? String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8))?.split(separator: "\n").first.flatMap { Int32($0) } ?? 32768)
        // A number above pid_max is never a process.
        #expect(!DaemonPort.groupNumberReused(maximum + 1, leaderOwner: nil, unit: "forky.service"))
    }
}
