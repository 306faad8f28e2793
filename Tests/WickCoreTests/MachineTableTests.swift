import Testing
@testable import WickCore

/// The deadline index of `MachineTable`: every write reschedules, stale entries never surface.
@Suite struct MachineTableTests {
    struct Fake: TimedMachine { var deadline: Instant? }

    @Test func theEarliestAndTheDueFollowEveryWrite() {
        var table = MachineTable<Fake>()
        #expect(table.earliest() == nil && table.due(.seconds(100)).isEmpty)
        table["b"] = Fake(deadline: .seconds(5))
        table["a"] = Fake(deadline: .seconds(3))
        table["c"] = Fake(deadline: nil)
        #expect(table.earliest() == .seconds(3))
        table["a"]?.deadline = .seconds(9)          // moved later: the old entry is stale
        #expect(table.earliest() == .seconds(5))
        table["b"] = nil                             // removed
        #expect(table.earliest() == .seconds(9) && table.count == 2)
        table["c"]?.deadline = .seconds(1)
        #expect(table.due(.seconds(2)) == ["c"] && table.earliest() == .seconds(9), "due takes it out of the schedule")
        table["c"]?.deadline = .seconds(1)           // still due after its timer: scheduled again
        #expect(table.due(.seconds(10)) == ["a", "c"])
        #expect(table.earliest() == nil)
    }

    @Test func staleEntriesDoNotGrowWithoutBound() {
        var table = MachineTable<Fake>()
        for round in 0..<10_000 { table["x"] = Fake(deadline: .seconds(Double(10_000 - round))) }
        #expect(table.earliest() == .seconds(1) && table.due(.seconds(1)) == ["x"] && table.earliest() == nil)
    }
}
