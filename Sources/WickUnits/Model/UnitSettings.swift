/// Everything a unit file can say, one typed field per directive, with systemd's defaults.
/// A `.socket` unit uses `unit`, `socket` and `install`; a `.service` unit `unit`, `service` and
/// `install`.
public struct UnitSettings: Hashable, Sendable {
    // Shared until written (CopyOnWrite): a copy of a unit's settings is four references. The
    // sections are lent (`_read`), not copied, when read: `settings.socket.backlog` copies one
    // field. `UnitSection` and `ServiceSection` keep their own fields behind one reference.
    public var unit = UnitSection()
    private var installStorage = CopyOnWrite(InstallSection())
    private var socketStorage = CopyOnWrite(SocketSection())
    public var service = ServiceSection()

    public var install: InstallSection { _read { yield installStorage.value } _modify { yield &installStorage.value } }
    public var socket: SocketSection { _read { yield socketStorage.value } _modify { yield &socketStorage.value } }

    public init() {}
}
