import Testing
@testable import WickCore
import WickUnits

@Suite struct UnitGraphTests {
    @Test func afterBeforeAndSocketsOrderTheStart() {
        let graph = UnitGraph(units: units([
            "db.service": "[Service]\nExecStart=/bin/db\n",
            "app.service": "[Unit]\nAfter=db.service network.target\n[Service]\nExecStart=/bin/app\n",
            "web.service": "[Unit]\nBefore=app.service\n[Service]\nExecStart=/bin/web\n",
            "app.socket": "[Socket]\nListenStream=80\n",
        ]), serviceOfSocket: ["app.socket": "app.service"])
        let order = graph.startOrder
        #expect(order.firstIndex(of: "db.service")! < order.firstIndex(of: "app.service")!)
        #expect(order.firstIndex(of: "web.service")! < order.firstIndex(of: "app.service")!)
        #expect(order.firstIndex(of: "app.socket")! < order.firstIndex(of: "app.service")!)
        #expect(graph.cycles.isEmpty)
        #expect(graph.after["db.service"] == ["app.service"])
    }

    @Test func aCycleIsReportedWithEveryUnitAndBrokenAtAWeakEdge() {
        let graph = UnitGraph(units: units([
            "a.service": "[Unit]\nAfter=b.service\nRequires=b.service\n[Service]\nExecStart=/bin/a\n",
            "b.service": "[Unit]\nAfter=c.service\nRequires=c.service\n[Service]\nExecStart=/bin/b\n",
            "c.service": "[Unit]\nAfter=a.service\nWants=a.service\n[Service]\nExecStart=/bin/c\n",
        ]), serviceOfSocket: [:])
        #expect(graph.cycles.count == 1)
        let cycle = graph.cycles[0]
        #expect(Set(cycle.units) == ["a.service", "b.service", "c.service"])
        #expect(cycle.droppedAfter == "c.service" && cycle.droppedBefore == "a.service", "the Wants= edge goes, not a Requires= one")
        #expect(cycle.message.hasSuffix("breaking it by dropping the ordering c.service After=a.service"))
        #expect(graph.startOrder == ["c.service", "b.service", "a.service"])
    }
}

@Suite struct MinHeapTests {
    @Test func popsInOrder() {
        var generator = SystemRandomNumberGenerator()
        for size in [0, 1, 2, 7, 100] {
            let values = (0..<size).map { _ in Int.random(in: -50...50, using: &generator) }
            var heap = MinHeap(Array(values.prefix(size / 2)))
            for value in values.dropFirst(size / 2) { heap.push(value) }
            var popped: [Int] = []
            while let next = heap.pop() { popped.append(next) }
            #expect(popped == values.sorted() && heap.isEmpty)
        }
    }

    /// Thousands of units start in a linear-time order (a chain and a fan of independent units).
    @Test func aLargeGraphIsOrderedWithoutQuadraticWork() {
        var files: [String: String] = [:]
        for index in 0..<3000 { files["u\(index).service"] = "[Unit]\nAfter=u\(index + 1).service\n[Service]\nExecStart=/bin/true\n" }
        let graph = UnitGraph(units: units(files), serviceOfSocket: [:])
        #expect(graph.startOrder.first == "u2999.service" && graph.startOrder.last == "u0.service" && graph.startOrder.count == 3000)
    }
}
