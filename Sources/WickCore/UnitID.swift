import WickUnits

/// A unit's name as the manager and its port key their tables: hashed once, when the name is
/// made. systemd finds a unit by name once (`manager_get_unit()`) and passes its `Unit *` after
/// that; wick passes this instead. An `Accept=yes` instance's name
/// (`echo@12-127.0.0.1:7-127.0.0.1:5000.service`, about 45 bytes) is looked up some 40 times
/// between its connection and its end: each lookup mixes one word instead of hashing the name
/// again, and two copies of one name compare by their shared storage (docs/performance.md,
/// eighth session).
public struct UnitID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String
    private let hash: Int

    public init(_ name: String) {
        self.name = name
        hash = name.hashValue
    }

    public init(stringLiteral name: String) { self.init(name) }

    public static func == (left: UnitID, right: UnitID) -> Bool { left.hash == right.hash && left.name == right.name }
    public static func < (left: UnitID, right: UnitID) -> Bool { left.name < right.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    /// What `Dictionary` and `Set` call: the stored hash (already SipHash, seeded per process)
    /// mixed with the table's seed, without running the hasher again (about 90 instructions a
    /// lookup).
    public func _rawHashValue(seed: Int) -> Int { hash ^ seed }
    public var description: String { name }
}

extension LoadedUnit {
    /// The unit's name as the manager keys it.
    public var id: UnitID { UnitID(name.name) }
}
