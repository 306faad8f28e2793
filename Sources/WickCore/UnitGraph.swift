import WickUnits

/// The ordering and requirement relations between units (systemd.unit(5)), and the start order
/// derived from them.
///
/// Ordering: `A After=B` (or `B Before=A`) starts B before A and stops A before B; a socket is
/// ordered before the service it activates (systemd's implicit dependency). Names of units that
/// are not loaded (targets such as `network.target`, which wick does not have) are ignored for
/// ordering.
///
/// A cycle is reported with every unit on it and broken by dropping one ordering edge, the way
/// systemd's transaction code drops a job: an edge not backed by `Requires=`/`BindsTo=` (only
/// `Wants=`, or pure ordering) is dropped first; the message says which.
public struct UnitGraph: Sendable {
    public struct Cycle: Equatable, Sendable {
        /// The units on the cycle, in order, first repeated at the end.
        public var units: [UnitID]
        /// The ordering edge dropped to break it: `after` was ordered after `before`.
        public var droppedAfter: UnitID
        public var droppedBefore: UnitID

        public var message: String {
            "ordering cycle found: \(units.map(\.name).joined(separator: " -> ")); breaking it by dropping the ordering \(droppedAfter) After=\(droppedBefore)"
        }
    }

    /// `before[a]` holds every unit that must start before `a`.
    public private(set) var before: [UnitID: Set<UnitID>] = [:]
    /// `after[a]` holds every unit that must start after `a` (and stop before it).
    public private(set) var after: [UnitID: Set<UnitID>] = [:]
    public private(set) var startOrder: [UnitID] = []
    public private(set) var cycles: [Cycle] = []
    private var strong: Set<[UnitID]> = []

    public init(units: [LoadedUnit], serviceOfSocket: [UnitID: UnitID]) {
        let names = Set(units.map { UnitID($0.name.name) })
        for name in names { before[name] = [] }
        func order(_ first: UnitID, before second: UnitID) {
            guard names.contains(first), names.contains(second), first != second else { return }
            before[second, default: []].insert(first)
        }
        for unit in units {
            let name = UnitID(unit.name.name)
            for other in unit.settings.unit.after { order(UnitID(other), before: name) }
            for other in unit.settings.unit.before { order(name, before: UnitID(other)) }
            for other in unit.settings.unit.requires + unit.settings.unit.bindsTo { strong.insert([name, UnitID(other)]) }
        }
        for (socket, service) in serviceOfSocket { order(socket, before: service) }
        computeOrder()
        for (unit, earlier) in before {
            for other in earlier { after[other, default: []].insert(unit) }
        }
    }

    /// Kahn's topological sort, the smallest name first among the units that are ready (a heap:
    /// start-up with thousands of units stays O(n log n)); a cycle left over is broken at its
    /// weakest edge and the sort runs again.
    private mutating func computeOrder() {
        while true {
            var waiting = before.mapValues { $0.count }
            var successors: [UnitID: [UnitID]] = [:]
            for (unit, predecessors) in before {
                for predecessor in predecessors { successors[predecessor, default: []].append(unit) }
            }
            var ready = MinHeap(waiting.filter { $0.value == 0 }.map { $0.key })
            var order: [UnitID] = []
            while let next = ready.pop() {
                order.append(next)
                for successor in successors[next] ?? [] {
                    guard let count = waiting[successor], count > 0 else { continue }
                    waiting[successor] = count - 1
                    if count == 1 { ready.push(successor) }
                }
            }
            if order.count == before.count {
                startOrder = order
                return
            }
            let ordered = Set(order)
            var remaining: [UnitID: Set<UnitID>] = [:]
            for (unit, predecessors) in before where !ordered.contains(unit) {
                remaining[unit] = predecessors.subtracting(ordered)
            }
            let cycle = findCycle(in: remaining)
            guard cycle.count > 1 else {
                // Cannot happen (every leftover unit has a leftover predecessor); if it did, the
                // rest start in name order rather than the loop running for ever.
                startOrder = order + remaining.keys.sorted()
                return
            }
            breakCycle(cycle)
        }
    }

    /// A cycle among the units left over by the topological sort.
    private func findCycle(in remaining: [UnitID: Set<UnitID>]) -> [UnitID] {
        var path: [UnitID] = []
        guard var current = remaining.keys.sorted().first else { return [] }
        while !path.contains(current) {
            path.append(current)
            guard let next = remaining[current]?.sorted().first(where: { remaining[$0] != nil }) else { return [] }
            current = next
        }
        guard let start = path.firstIndex(of: current) else { return [] }
        return Array(path[start...]) + [current]
    }

    /// Drops one edge of the cycle: `cycle[i]` is ordered after `cycle[i+1]`.
    private mutating func breakCycle(_ cycle: [UnitID]) {
        let edges = (0..<(cycle.count - 1)).map { (after: cycle[$0], before: cycle[$0 + 1]) }
        let weak = edges.first { !strong.contains([$0.after, $0.before]) }
        guard let dropped = weak ?? edges.last else { return }
        before[dropped.after]?.remove(dropped.before)
        cycles.append(Cycle(units: cycle.reversed(), droppedAfter: dropped.after, droppedBefore: dropped.before))
    }
}
