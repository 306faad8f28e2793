import Foundation
import Testing
@testable import WickDaemon

/// Fields of /proc/self/status as the daemon reads them at start-up (capabilities, seccomp).
@Suite struct ProcStatusTests {
    static let status = Array("Name:\twick\nSeccomp:\t0\nSeccomp_filters:\t0\nCapEff:\t000001ffffffffff\nNoTab:x\n".utf8)

    @Test func fieldsByExactName() {
        #expect(ExecEnvironment.field("CapEff", of: Self.status) == "000001ffffffffff")
        #expect(ExecEnvironment.field("Seccomp", of: Self.status) == "0", "not Seccomp_filters")
        #expect(ExecEnvironment.field("NoTab", of: Self.status) == "x")
        #expect(ExecEnvironment.field("CapPrm", of: Self.status) == nil)
        #expect(ExecEnvironment.field("CapEff", of: []) == nil)
        #expect(ExecEnvironment.field("Last", of: Array("\n\nA:\t1\nLast:\t9".utf8)) == "9", "blank lines, no final newline")
    }

    /// This process's own file has the fields the daemon relies on.
    @Test func thisProcessHasThem() throws {
        let own = try #require(FileManager.default.contents(atPath: "/proc/self/status"))
        #expect(ExecEnvironment.field("CapEff", of: Array(own)).flatMap { UInt64($0, radix: 16) } != nil)
        #expect(ExecEnvironment.field("Seccomp", of: Array(own)) != nil)
    }
}
