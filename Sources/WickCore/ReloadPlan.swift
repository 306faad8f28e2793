/// What a reload (systemctl daemon-reload) changes, from the running units and the units just
/// loaded. Pure; `Manager.reload` carries it out.
///
/// As systemd loads every unit anew and deserializes its state into it: a socket whose
/// `Listen*=`, `Accept=` and `Service=` did not change keeps its fds, state and counters and takes
/// its other settings at once; any other socket is closed and, if it is still in the unit files,
/// opened anew (with the same `Accept=`, on the listeners of the addresses that stay). A changed IP filter reopens nothing (a listener its service holds could not be
/// bound again, and the counts of live connections would restart): the listeners keep the filter
/// they were opened with, and the check at accept takes the new rules at once. A service still in the unit files keeps its state, processes and counts and takes
/// the new definition at once; an active service removed from the unit files stops and is
/// dropped once stopped; an `Accept=yes` instance runs on and takes its template's new
/// definition.
struct ReloadPlan {
    /// Sockets that keep their listeners and take the new settings.
    var keptSockets: [UnitID] = []
    /// Sockets whose listeners close (changed or removed).
    var closedSockets: [UnitID] = []
    /// Services that keep their state and take the new definition.
    var keptServices: [UnitID] = []
    /// Services gone from the unit files that keep running until they are stopped now.
    var removedServices: [UnitID] = []
    /// Instances of `Accept=yes` sockets: they run on, with their template's new definition.
    var instances: [UnitID] = []
    /// What changed, for the log.
    var changes: [String] = []

    init(sockets old: [UnitID: SocketMachine], services oldServices: [UnitID: ServiceMachine],
         instances isInstance: (UnitID) -> Bool, new: Manager) {
        for name in old.keys.sorted() {
            guard let previous = old[name] else { continue }
            guard let fresh = new.sockets[name] else {
                closedSockets.append(name)
                changes.append("\(name): removed, closed")
                continue
            }
            if fresh.settings.listen == previous.settings.listen, fresh.settings.accept == previous.settings.accept,
               fresh.settings.service == previous.settings.service {
                keptSockets.append(name)
            } else {
                closedSockets.append(name)
                changes.append("\(name): listeners changed, reopening")
            }
        }
        for name in oldServices.keys.sorted() {
            guard let previous = oldServices[name] else { continue }
            if new.services[name] != nil {
                keptServices.append(name)
            } else if isInstance(name) {
                instances.append(name)
            } else if !Manager.isFinal(previous.state) {
                removedServices.append(name)
                changes.append("\(name): removed, stopping")
            }
        }
    }
}
