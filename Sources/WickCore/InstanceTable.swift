import WickUnits

/// `Accept=yes`: the service instance of each accepted connection. systemd names an instance
/// `prefix@N-local-remote.service`, N being the socket's count of accepted connections
/// (`n_accepted`, systemd.socket(5)); the instance owns its connection until it ends.
struct InstanceTable: Sendable {
    struct Instance: Sendable {
        var socket: String
        var connection: AcceptedConnectionID
        /// The instance's `[Unit]` section (its conditions and requirements).
        var section: UnitSection
    }

    private var instances: [String: Instance] = [:]
    private var nextNumber: [String: UInt64] = [:]

    /// The instance string for the next connection of `socket` (`N-local-remote`).
    mutating func nextInstance(socket: String, connection: AcceptedConnectionID) -> String {
        let number = nextNumber[socket, default: 0]
        nextNumber[socket] = number &+ 1
        return "\(number)-\(connection.instanceSuffix)"
    }

    mutating func add(unit: String, socket: String, connection: AcceptedConnectionID, section: UnitSection) {
        instances[unit] = Instance(socket: socket, connection: connection, section: section)
    }

    subscript(unit: String) -> Instance? { instances[unit] }

    /// Whether `unit` is an instance, without copying its entry out.
    func contains(_ unit: String) -> Bool { instances.index(forKey: unit) != nil }

    /// The instance ended: its connection is the caller's to close.
    mutating func remove(_ unit: String) -> Instance? { instances.removeValue(forKey: unit) }
}
