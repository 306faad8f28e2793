/// Everything a unit file can say, one typed field per directive, with systemd's defaults.
/// A `.socket` unit uses `unit`, `socket` and `install`; a `.service` unit `unit`, `service` and
/// `install`.
public struct UnitSettings: Hashable, Sendable {
    public var unit = UnitSection()
    public var install = InstallSection()
    public var socket = SocketSection()
    public var service = ServiceSection()

    public init() {}
}
