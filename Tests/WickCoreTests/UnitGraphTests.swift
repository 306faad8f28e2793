import Testing
import WickCore
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
