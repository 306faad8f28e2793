/// A value kept behind one shared reference and copied only when written while shared (the
/// storage of `Array` and `String`, for a struct). Unit definitions are large (an `ExecContext`
/// alone has 83 fields, most of them arrays and strings), and the daemon copies them
/// on every connection of an `Accept=yes` socket (a new instance, its service machine): behind
/// one of these such a copy is one reference-count increment instead of hundreds (issue 14).
public struct CopyOnWrite<Value: Hashable & Sendable>: Hashable, Sendable {
    /// Mutated only while uniquely referenced, so sharing it across threads is safe.
    final class Box: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    public init(_ value: Value) { box = Box(value) }

    /// Lent for reading (`_read`: no copy of the whole value), copied on write only when shared.
    public var value: Value {
        _read { yield box.value }
        set {
            if isKnownUniquelyReferenced(&box) { box.value = newValue } else { box = Box(newValue) }
        }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }

    /// Whether both share one storage (no copy was written since): equal without comparing.
    public func isIdentical(to other: CopyOnWrite) -> Bool { box === other.box }

    public static func == (left: CopyOnWrite, right: CopyOnWrite) -> Bool {
        left.box === right.box || left.box.value == right.box.value
    }

    public func hash(into hasher: inout Hasher) { box.value.hash(into: &hasher) }
}
