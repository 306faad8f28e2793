import WickUnits

/// `Accept=yes`: the service instance of each accepted connection. systemd names an instance
/// `prefix@N-local-remote.service`, N being the socket's count of accepted connections
/// (`n_accepted`, systemd.socket(5)); the instance owns its connection until it ends.
struct InstanceTable: Sendable {
    struct Instance: Sendable {
        var socket: UnitID
        var connection: AcceptedConnectionID
        /// The instance's `[Unit]` section (its conditions and requirements).
        var section: UnitSection
        /// Its connection was closed (it went down, or its main process ended with
        /// `RemainAfterExit=yes`) while the instance stays until it is stopped.
        var connectionClosed = false
    }

    private var instances: [UnitID: Instance] = [:]
    private var nextNumber: [UnitID: UInt64] = [:]

    /// The instance string for the next connection of `socket` (`N-local-remote`).
    mutating func nextInstance(socket: UnitID, connection: AcceptedConnectionID) -> String {
        // Read and counted up in one lookup; the name written into one buffer (an
        // interpolation cost 1,200 instructions a connection).
        func takeNext(_ counter: inout UInt64) -> UInt64 {
            defer { counter &+= 1 }
            return counter
        }
        let number = takeNext(&nextNumber[socket, default: 0])
        return String(assembling: 21 + connection.instanceSuffix.utf8.count) { text in
            text.append(decimal: UInt(number))
            text.append(byte: UInt8(ascii: "-"))
            text.append(connection.instanceSuffix)
        }
    }

    mutating func add(unit: UnitID, socket: UnitID, connection: AcceptedConnectionID, section: UnitSection) {
        instances[unit] = Instance(socket: socket, connection: connection, section: section)
    }

    subscript(unit: UnitID) -> Instance? { instances[unit] }

    /// `socket`'s instances, by name.
    func units(of socket: UnitID) -> [UnitID] {
        instances.compactMap { $0.value.socket == socket ? $0.key : nil }.sorted()
    }

    /// The connections of `socket`'s instances that are still open.
    func openConnections(of socket: UnitID) -> [AcceptedConnectionID] {
        instances.values.filter { $0.socket == socket && !$0.connectionClosed }.map(\.connection)
    }

    /// A reload loaded the instance anew from its template: its new `[Unit]` section.
    mutating func reloaded(_ unit: UnitID, section: UnitSection) {
        instances[unit]?.section = section
    }

    /// Whether `unit` is an instance, without copying its entry out.
    func contains(_ unit: UnitID) -> Bool { instances.index(forKey: unit) != nil }

    /// The socket of instance `unit`, nil when it is not one (its entry, with its `[Unit]`
    /// section, stays in place).
    func socket(of unit: UnitID) -> UnitID? {
        guard let index = instances.index(forKey: unit) else { return nil }
        return instances.values[index].socket
    }

    /// The instance whose connection is still open, marked closed (the caller closes it): nil
    /// when there is no such instance or it was closed before.
    mutating func closingConnection(_ unit: UnitID) -> (socket: UnitID, connection: AcceptedConnectionID)? {
        guard let index = instances.index(forKey: unit), !instances.values[index].connectionClosed else { return nil }
        instances.values[index].connectionClosed = true
        return (instances.values[index].socket, instances.values[index].connection)
    }

    /// The instance ended: its connection is the caller's to close.
    mutating func remove(_ unit: UnitID) -> Instance? { instances.removeValue(forKey: unit) }
}
