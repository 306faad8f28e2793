/// One entry of a `NAME.wants/` or `NAME.requires/` directory: `systemctl enable` writes one per
/// `WantedBy=`/`RequiredBy=` of the unit's `[Install]` section (systemd.unit(5)).
public struct DependencyLink: Equatable, Sendable {
    public enum Kind: Sendable {
        case wants, requires

        /// `.wants` or `.requires`.
        public var suffix: String { self == .wants ? ".wants" : ".requires" }

        /// The kind of a directory named `UNIT.wants` or `UNIT.requires`, nil for other names.
        public init?(directoryName: String) {
            if directoryName.hasSuffix(".wants") { self = .wants } else if directoryName.hasSuffix(".requires") { self = .requires } else { return nil }
        }
    }

    /// The unit directory the link is in (`/etc/systemd/system`).
    public var directory: String
    /// The unit whose `.wants/` or `.requires/` it is (`sockets.target`).
    public var owner: String
    public var kind: Kind
    /// The entry's name: the unit it pulls in.
    public var unit: String
    /// Where the symlink points, nil for a regular file.
    public var target: String?

    public init(directory: String, owner: String, kind: Kind, unit: String, target: String?) {
        self.directory = directory
        self.owner = owner
        self.kind = kind
        self.unit = unit
        self.target = target
    }
}
