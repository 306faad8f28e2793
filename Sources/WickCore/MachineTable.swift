/// A machine that may have something to do at a future instant (a timeout, a restart delay, the
/// end of a pause).
public protocol TimedMachine {
    var deadline: Instant? { get }
}

extension ServiceMachine: TimedMachine {}
extension SocketMachine: TimedMachine {}

/// The machines of one unit kind by name, with their deadlines kept in a heap as they change:
/// every write goes through the subscript's `_modify`, which reads the machine's deadline after
/// it, so the earliest deadline and the due units cost O(log n) per change instead of a pass over
/// every unit (and a copy of each) per wake-up. Stale heap entries are dropped when they surface,
/// and the heap is rebuilt when they outnumber the live ones.
///
/// Each machine lives in a slot of its own, copied on write like an array's storage (a copy of
/// the table shares slots until one side writes), so that a read borrows the stored machine and
/// a write changes it in place after one lookup of its name; the slot also holds the deadline
/// last scheduled, so an unchanged deadline costs no further lookup. (Stored by value, a read
/// copied the whole machine and a write took up to four lookups and a copy: about 6,000
/// instructions more an `Accept=yes` connection, docs/performance.md.)
public struct MachineTable<Machine: TimedMachine>: Sequence {
    /// A machine and the deadline the heap has for it. The machine is nil only during a write
    /// that removes it (`_modify` yields it in place); between writes every slot holds one.
    final class Slot {
        var machine: Machine?
        var scheduled: Instant?
        init(machine: Machine?, scheduled: Instant?) {
            self.machine = machine
            self.scheduled = scheduled
        }
    }

    private var slots: [UnitID: Slot] = [:]
    /// The heap's truth: the deadline each scheduled machine has now.
    private var scheduled: [UnitID: Instant] = [:]
    private var heap = MinHeap<Entry>()

    struct Entry: Comparable {
        var at: Instant
        var name: UnitID
        static func < (left: Entry, right: Entry) -> Bool { (left.at, left.name) < (right.at, right.name) }
    }

    public init() {}

    public subscript(name: UnitID) -> Machine? {
        _read {
            if let index = slots.index(forKey: name) {
                yield slots.values[index].machine
            } else {
                yield nil
            }
        }
        _modify {
            if let index = slots.index(forKey: name) {
                let slot = ownedSlot(at: index)
                yield &slot.machine
                if !settle(slot, name: name) { slots.remove(at: index) }
            } else {
                let slot = Slot(machine: nil, scheduled: nil)
                yield &slot.machine
                if settle(slot, name: name) { slots[name] = slot }
            }
            rebuildIfStale()
        }
    }

    /// Every machine by name (a reload's plan compares them).
    public var all: [UnitID: Machine] { slots.compactMapValues { $0.machine } }

    /// Whether a machine has the name, without copying it out.
    public func contains(_ name: UnitID) -> Bool { slots.index(forKey: name) != nil }

    public var keys: [UnitID] { Array(slots.keys) }
    public var values: LazyMapSequence<MachineTable<Machine>, Machine> { lazy.map { $0.value } }
    public var count: Int { slots.count }
    public var isEmpty: Bool { slots.isEmpty }
    public func makeIterator() -> Iterator { Iterator(base: slots.makeIterator()) }

    /// The machines with their names (a slot without one, which only a write in progress has, is
    /// passed over).
    public struct Iterator: IteratorProtocol {
        var base: Dictionary<UnitID, Slot>.Iterator
        public mutating func next() -> (key: UnitID, value: Machine)? {
            while let (key, slot) = base.next() {
                if let machine = slot.machine { return (key, machine) }
            }
            return nil
        }
    }

    /// The slot at `index`, this table's alone: copied first when a copy of the table shares it.
    private mutating func ownedSlot(at index: Dictionary<UnitID, Slot>.Index) -> Slot {
        if !isKnownUniquelyReferenced(&slots.values[index]) {
            let shared = slots.values[index]
            slots.values[index] = Slot(machine: shared.machine, scheduled: shared.scheduled)
        }
        return slots.values[index]
    }

    /// After a write: the machine's deadline into the schedule and the heap when it changed.
    /// False when the write removed the machine.
    private mutating func settle(_ slot: Slot, name: UnitID) -> Bool {
        let deadline = slot.machine?.deadline
        if slot.scheduled != deadline {
            slot.scheduled = deadline
            scheduled[name] = deadline
            if let deadline { heap.push(Entry(at: deadline, name: name)) }
        }
        if case .none = slot.machine { return false }
        return true
    }

    private mutating func rebuildIfStale() {
        if heap.count > 2 * scheduled.count + 64 {
            heap = MinHeap(scheduled.map { Entry(at: $0.value, name: $0.key) })
        }
    }

    /// The earliest deadline of any machine.
    public mutating func earliest() -> Instant? {
        while let top = heap.first {
            if scheduled[top.name] == top.at { return top.at }
            _ = heap.pop()
        }
        return nil
    }

    /// The machines whose deadline is at or before `now`, by name. Each leaves the schedule: the
    /// caller hands it its timer through the subscript, which schedules what comes next.
    public mutating func due(_ now: Instant) -> [UnitID] {
        var names: [UnitID] = []
        while let top = heap.first, top.at <= now {
            _ = heap.pop()
            guard scheduled[top.name] == top.at else { continue }
            scheduled[top.name] = nil
            if let index = slots.index(forKey: top.name) { ownedSlot(at: index).scheduled = nil }
            names.append(top.name)
        }
        // Most wake-ups find none due: no sorted copy of an empty list (an allocation each).
        return names.count > 1 ? names.sorted() : names
    }
}
