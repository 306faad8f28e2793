/// Everything a unit file can say, one typed field per directive, with systemd's defaults.
/// A `.socket` unit uses `unit`, `socket` and `install`; a `.service` unit `unit`, `service` and
/// `install`.
public struct UnitSettings: Hashable, Sendable {
    // Shared until written (CopyOnWrite): a copy of a unit's settings is four references.
    @CopyOnWrite public var unit = UnitSection()
    @CopyOnWrite public var install = InstallSection()
    @CopyOnWrite public var socket = SocketSection()
    @CopyOnWrite public var service = ServiceSection()

    public init() {}
}
