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

    final class Box {}
    struct Boxed: TimedMachine {
        var deadline: Instant?
        var box = Box()
        var uniqueWhenChanged: [Bool] = []
        mutating func change(to deadline: Instant?) {
            uniqueWhenChanged.append(isKnownUniquelyReferenced(&box))
            self.deadline = deadline
        }
    }

    /// A write changes the machine where it is stored (its parts uniquely referenced, so nothing
    /// is copied on write), adds one through the same accessor, and removes one set to nil; the
    /// name list, the machines and the iteration agree afterwards.
    @Test func writesChangeTheStoredMachineInPlace() {
        var table = MachineTable<Boxed>()
        table["a"] = Boxed(deadline: nil)
        table["b"] = Boxed(deadline: .seconds(4))
        table["a"]?.change(to: .seconds(2))
        table["a"]?.change(to: .seconds(2))
        #expect(table["a"]?.uniqueWhenChanged == [true, true])
        #expect(table.earliest() == .seconds(2))
        table["a"] = nil
        #expect(table.earliest() == .seconds(4) && table.count == 1 && !table.contains("a"))
        #expect(table.keys == ["b"] && Array(table.values.map { $0.deadline }) == [.seconds(4)])
        #expect(table.map { $0.key } == ["b"] && table.all.keys.sorted() == ["b"])
    }

    /// A copy of the table is a value: a write to either side, a removal or a timer taken by
    /// `due`, leaves the other's machines and schedule as they were.
    @Test func aCopyIsIndependentOfTheOriginal() {
        var original = MachineTable<Fake>()
        original["a"] = Fake(deadline: .seconds(3))
        original["b"] = Fake(deadline: .seconds(5))
        var copy = original
        copy["a"]?.deadline = .seconds(1)
        copy["b"] = nil
        #expect(original["a"]?.deadline == .seconds(3) && original["b"]?.deadline == .seconds(5))
        #expect(copy["a"]?.deadline == .seconds(1) && copy["b"] == nil)
        #expect(original.earliest() == .seconds(3) && copy.earliest() == .seconds(1))
        var later = original
        #expect(later.due(.seconds(3)) == ["a"])
        later["a"]?.deadline = .seconds(3)      // taken by its timer: scheduled again on this side
        #expect(later.due(.seconds(3)) == ["a"])
        #expect(original.due(.seconds(3)) == ["a"], "the original's timer is still there")
    }

    @Test func staleEntriesDoNotGrowWithoutBound() {
        var table = MachineTable<Fake>()
        for round in 0..<10_000 { table["x"] = Fake(deadline: .seconds(Double(10_000 - round))) }
        #expect(table.earliest() == .seconds(1) && table.due(.seconds(1)) == ["x"] && table.earliest() == nil)
    }
}
