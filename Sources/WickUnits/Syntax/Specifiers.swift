/// Facts about the machine and the user that specifiers refer to. The system layer fills them in
/// (hostname, machine id, user database); tests use fixed values.
public struct HostFacts: Sendable, Equatable {
    public var hostname = "localhost"
    public var machineID = "00000000000000000000000000000000"
    public var bootID = "00000000000000000000000000000000"
    public var kernelRelease = ""
    public var architecture = "x86-64"
    public var userName = "root"
    public var userID: UInt32 = 0
    public var groupName = "root"
    public var groupID: UInt32 = 0
    public var home = "/root"
    public var shell = "/bin/sh"
    /// `%t`: `/run` for the system manager, `$XDG_RUNTIME_DIR` for a user manager.
    public var runtimeDirectory = "/run"
    /// `%S`, `%C`, `%L`, `%E`: the system or user (XDG) directories.
    public var stateDirectory = "/var/lib"
    public var cacheDirectory = "/var/cache"
    public var logsDirectory = "/var/log"
    public var configurationDirectory = "/etc"
    /// `%T` (`$TMPDIR` or `/tmp`) and `%V` (`$TMPDIR` or `/var/tmp`).
    public var temporaryDirectory = "/tmp"
    public var persistentTemporaryDirectory = "/var/tmp"

    public init() {}
}

/// Resolves `%` specifiers (systemd.unit(5) "Specifiers") for one unit. Every specifier systemd
/// 252 documents for unit files that wick can know is supported; an unknown one, or a `%` at the
/// end of a value, is an error naming it.
public struct SpecifierResolver: Sendable {
    public var unit: UnitName
    public var fragmentPath: String?
    public var host: HostFacts

    public init(unit: UnitName, fragmentPath: String? = nil, host: HostFacts) {
        self.unit = unit
        self.fragmentPath = fragmentPath
        self.host = host
    }

    public func expand(_ text: String) throws(ValueError) -> String {
        guard text.containsByte(UInt8(ascii: "%")) else { return text }
        var output = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else { output.append(character); continue }
            guard let code = iterator.next() else {
                throw ValueError("incomplete specifier: '%' at the end of '\(text.prefix(80))' (write %% for a literal %)")
            }
            output += try value(of: code)
            // systemd's specifier_printf() stops at LONG_LINE_MAX (-ENAMETOOLONG): a line of
            // `%n` repeated kept a hundred times its size in wick.
            guard output.utf8.count <= Self.maximumExpansion else {
                throw ValueError("specifiers expand to more than \(Self.maximumExpansion) bytes in '\(text.prefix(80))'")
            }
        }
        return output
    }

    /// systemd's LONG_LINE_MAX, the longest a value may become by its specifiers (1 MiB).
    public static let maximumExpansion = 1 << 20

    /// The value of one specifier letter.
    public func value(of code: Character) throws(ValueError) -> String {
        switch code {
        case "%": return "%"
        case "n": return unit.name
        case "N": return unit.stem
        case "p": return unit.prefix
        case "P": return try UnitNameEscaping.unescape(unit.prefix)
        case "i": return unit.instance ?? ""
        case "I": return try UnitNameEscaping.unescape(unit.instance ?? "")
        case "j": return finalPrefixComponent
        case "J": return try UnitNameEscaping.unescape(finalPrefixComponent)
        case "f":
            if let instance = unit.instance, !instance.isEmpty { return try UnitNameEscaping.unescapePath(instance) }
            return try UnitNameEscaping.unescapePath(unit.prefix)
        case "y": return fragmentPath ?? ""
        case "Y": return fragmentPath.map(Self.directoryName) ?? ""
        case "t": return host.runtimeDirectory
        case "T": return host.temporaryDirectory
        case "V": return host.persistentTemporaryDirectory
        case "S": return host.stateDirectory
        case "C": return host.cacheDirectory
        case "L": return host.logsDirectory
        case "E": return host.configurationDirectory
        case "h": return host.home
        case "s": return host.shell
        case "u": return host.userName
        case "U": return String(host.userID)
        case "g": return host.groupName
        case "G": return String(host.groupID)
        case "H": return host.hostname
        case "l": return String(host.hostname.prefix { $0 != "." })
        case "m": return host.machineID
        case "b": return host.bootID
        case "v": return host.kernelRelease
        case "a": return host.architecture
        case "d": return host.runtimeDirectory + "/credentials/" + unit.name
        case "A", "B", "M", "o", "w", "W", "q":
            throw ValueError("specifier '%\(code)' is not supported by wick (os-release and the pretty hostname are not read)")
        default:
            throw ValueError("unknown specifier '%\(code)' (write %% for a literal %)")
        }
    }

    /// `%j`: the part of the prefix after its last `-`, or the whole prefix.
    var finalPrefixComponent: String {
        guard let dash = unit.prefix.lastIndex(of: "-") else { return unit.prefix }
        return String(unit.prefix[unit.prefix.index(after: dash)...])
    }

    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
