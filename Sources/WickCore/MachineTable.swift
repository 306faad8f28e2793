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
public struct MachineTable<Machine: TimedMachine>: Sequence {
    public private(set) var all: [String: Machine] = [:]
    private var scheduled: [String: Instant] = [:]
    private var heap = MinHeap<Entry>()

    struct Entry: Comparable {
        var at: Instant
        var name: String
        static func < (left: Entry, right: Entry) -> Bool { (left.at, left.name) < (right.at, right.name) }
    }

    public init() {}

    public subscript(name: String) -> Machine? {
        get { all[name] }
        _modify {
            yield &all[name]
            reschedule(name)
        }
    }

    /// Whether a machine has the name, without copying it out.
    public func contains(_ name: String) -> Bool { all.index(forKey: name) != nil }

    public var keys: Dictionary<String, Machine>.Keys { all.keys }
    public var values: Dictionary<String, Machine>.Values { all.values }
    public var count: Int { all.count }
    public var isEmpty: Bool { all.isEmpty }
    public func makeIterator() -> Dictionary<String, Machine>.Iterator { all.makeIterator() }

    private mutating func reschedule(_ name: String) {
        let deadline = all[name]?.deadline
        guard scheduled[name] != deadline else { return }
        scheduled[name] = deadline
        guard let deadline else { return }
        heap.push(Entry(at: deadline, name: name))
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
    public mutating func due(_ now: Instant) -> [String] {
        var names: [String] = []
        while let top = heap.first, top.at <= now {
            _ = heap.pop()
            guard scheduled[top.name] == top.at else { continue }
            scheduled[top.name] = nil
            names.append(top.name)
        }
        return names.sorted()
    }
}
