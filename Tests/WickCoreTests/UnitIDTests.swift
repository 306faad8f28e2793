import Testing
import WickCore

@Suite struct UnitIDTests {
    /// Names made apart (a control request's, a unit file's) are one key; the hash is the name's.
    @Test func equalNamesAreOneKeyWhereverTheyWereMade() {
        let fromFile = UnitID("echo@0-127.0.0.1:7-127.0.0.1:5000.service")
        let typed = UnitID(String("echo@0-127.0.0.1:7-127.0.0.1:5000.service".utf8.map { Character(UnicodeScalar($0)) }))
        #expect(fromFile == typed && fromFile.hashValue == typed.hashValue)
        var table: [UnitID: Int] = [fromFile: 1]
        table[typed, default: 0] += 1
        #expect(table.count == 1 && table[fromFile] == 2)
        #expect(UnitID("a.service") != UnitID("b.service") && UnitID("a.service") < UnitID("b.service"))
        #expect("\(fromFile)" == fromFile.name)
    }

    /// Every key of a large table is found again and no other (the stored hash mixed with each
    /// table's seed spreads the buckets), in dictionaries and sets that grow and shrink.
    @Test func tenThousandInstanceNamesAreEachFoundOnce() {
        let names = (0..<10_000).map { UnitID("bench@\($0)-127.0.0.1:8000-127.0.0.1:\(40_000 + $0 % 20_000).service") }
        var table: [UnitID: Int] = [:]
        var set: Set<UnitID> = []
        for (index, name) in names.enumerated() {
            table[name] = index
            set.insert(name)
        }
        #expect(table.count == names.count && set.count == names.count)
        #expect(names.enumerated().allSatisfy { table[UnitID($0.element.name)] == $0.offset })
        for name in names.prefix(5_000) { set.remove(name) }
        #expect(set.count == 5_000 && names.suffix(5_000).allSatisfy { set.contains($0) } && !set.contains(names[0]))
        #expect(table[UnitID("bench@10000-127.0.0.1:8000-127.0.0.1:40000.service")] == nil)
    }
}
