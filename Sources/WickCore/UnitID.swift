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
    /// What `Dictionary` and `Set` call: the stored hash (SipHash of the name, seeded per
    /// process) mixed with the table's seed by MurmurHash3's 64-bit finalizer, without running
    /// the hasher again (90 instructions a lookup less). The mix keeps what the per-table seed is
    /// for: a table filled in another's bucket order does not cluster.
    public func _rawHashValue(seed: Int) -> Int {
        var mixed = UInt64(bitPattern: Int64(hash ^ seed))
        mixed ^= mixed >> 33
        mixed &*= 0xff51_afd7_ed55_8ccd
        mixed ^= mixed >> 33
        mixed &*= 0xc4ce_b9fe_1a85_ec53
        mixed ^= mixed >> 33
        return Int(bitPattern: UInt(mixed))
    }
    public var description: String { name }
}

extension LoadedUnit {
    /// The unit's name as the manager keys it.
    public var id: UnitID { UnitID(name.name) }
}
