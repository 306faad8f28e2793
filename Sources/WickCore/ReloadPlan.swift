/// What a reload (systemctl daemon-reload) changes, from the running units and the units just
/// loaded. Pure; `Manager.reload` carries it out.
///
/// As systemd loads every unit anew and deserializes its state into it: a socket whose
/// `Listen*=`, `Accept=` and `Service=` did not change keeps its fds, state and counters and takes
/// its other settings at once; any other socket is closed and, if it is still in the unit files,
/// opened anew. So is one whose IP filter or accounting changed (its own or its service's
/// `IPAddressAllow=`, `IPAddressDeny=`, `IPAccounting=`): the filter is attached to the
/// listeners when they are opened, and the check at each accept must agree with it. A service still in the unit files keeps its state, processes and counts and takes
/// the new definition at once; an active service removed from the unit files stops and is
/// dropped once stopped; an `Accept=yes` instance runs on with its definition.
struct ReloadPlan {
    /// Sockets that keep their listeners and take the new settings.
    var keptSockets: [UnitID] = []
    /// Sockets whose listeners close (changed or removed).
    var closedSockets: [UnitID] = []
    /// Services that keep their state and take the new definition.
    var keptServices: [UnitID] = []
    /// Services gone from the unit files that keep running until they are stopped now.
    var removedServices: [UnitID] = []
    /// Instances of `Accept=yes` sockets: they run on.
    var instances: [UnitID] = []
    /// What changed, for the log.
    var changes: [String] = []

    init(sockets old: [UnitID: SocketMachine], services oldServices: [UnitID: ServiceMachine],
         instances isInstance: (UnitID) -> Bool, new: Manager,
         sameFilter: (UnitID) -> Bool) {
        for name in old.keys.sorted() {
            guard let previous = old[name] else { continue }
            guard let fresh = new.sockets[name] else {
                closedSockets.append(name)
                changes.append("\(name): removed, closed")
                continue
            }
            let sameListeners = fresh.settings.listen == previous.settings.listen && fresh.settings.accept == previous.settings.accept
                && fresh.settings.service == previous.settings.service
            if sameListeners && sameFilter(name) {
                keptSockets.append(name)
            } else {
                closedSockets.append(name)
                changes.append("\(name): \(sameListeners ? "IP filter" : "listeners") changed, reopening")
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
