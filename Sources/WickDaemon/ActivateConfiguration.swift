import Glibc
import WickUnits

/// What `wick activate` was asked to do (the flags of systemd-socket-activate(1)).
public struct ActivateConfiguration: Sendable {
    public var listens: [ListenSpec]
    /// Listening sockets passed to wick itself (`LISTEN_FDS` for wick's pid): served first, at
    /// fd 3, 4, ..., before the `-l` ones, as systemd-socket-activate's open_sockets() does.
    public var inherited: [Int32] = []
    /// `--accept`: one command per connection.
    public var accept: Bool
    /// `--inetd`: the connection (with `--accept`) or the one listening socket (without) is stdin
    /// and stdout, and no `LISTEN_*` variables are set.
    public var inetd: Bool
    /// `--rearm`: without `--accept`, run the command again on the next traffic after it exits
    /// (within the trigger limit) instead of exec'ing it once in place.
    public var rearm: Bool
    /// Names for `LISTEN_FDNAMES`, in fd order (every `--fdname`'s, in order); one name is every
    /// fd's, as in systemd-socket-activate's exec_process(); missing ones are `unknown`.
    public var fdNames: [String]
    /// The command's environment before the `LISTEN_*`/`REMOTE_*` variables.
    public var environment: [String]
    public var command: [String]

    public init(
        listens: [ListenSpec], accept: Bool, inetd: Bool, rearm: Bool = false, fdNames: [String], environment: [String], command: [String]
    ) {
        self.listens = listens
        self.accept = accept
        self.inetd = inetd
        self.rearm = rearm
        self.fdNames = fdNames
        self.environment = environment
        self.command = command
    }

    /// How many listening fds the command gets: the inherited ones, then the `-l` ones.
    public var socketCount: Int { inherited.count + listens.count }

    /// `LISTEN_FDNAMES=` for the listening fds: the given names (one name for all of them),
    /// `unknown` for the rest.
    public var listenFDNames: String {
        var names: [UInt8] = []
        names.reserveCapacity(socketCount * 8)
        for index in 0..<socketCount {
            if index > 0 { names.append(UInt8(ascii: ":")) }
            let name = fdNames.count == 1 ? fdNames[0] : index < fdNames.count ? fdNames[index] : "unknown"
            names += name.utf8
        }
        return String(decoding: names, as: UTF8.self)
    }

    /// `LISTEN_FDNAMES=` for an accepted connection: the `--fdname` names as given, as
    /// systemd-socket-activate sets them; `connection` without any (systemd's name for an
    /// `Accept=yes` connection).
    public var acceptFDNames: String { fdNames.isEmpty ? "connection" : fdNames.joined(separator: ":") }

    /// The listening sockets passed to this process (sd_listen_fds(3)): fd 3 and up when
    /// `LISTEN_PID` is this process's pid and `LISTEN_FDS` a count of open fds; none otherwise.
    public static func inheritedSockets(environment: [String], pid: Int32) -> [Int32] {
        func value(_ name: String) -> String? {
            environment.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
        }
        guard let listenPID = value("LISTEN_PID").flatMap({ Int32($0) }), listenPID == pid,
              let count = value("LISTEN_FDS").flatMap({ Int32($0) }), count > 0, count <= 65_536 else { return [] }
        return (3..<(3 + count)).filter { fcntl($0, F_GETFD) >= 0 }
    }

    /// The environment passed through: wick's own, without stale `LISTEN_*` variables, then the
    /// `-E` settings (`NAME=VALUE`, or `NAME` to copy wick's value).
    public static func environment(inherited: [String], settings: [String]) -> [String] {
        var result = inherited.filter {
            !$0.hasPrefix("LISTEN_FDS=") && !$0.hasPrefix("LISTEN_PID=") && !$0.hasPrefix("LISTEN_FDNAMES=")
        }
        for setting in settings {
            let name = setting.split(separator: "=", maxSplits: 1).first.map(String.init) ?? setting
            let value: String
            if setting.contains("=") {
                value = setting
            } else if let inheritedValue = inherited.first(where: { $0.hasPrefix(name + "=") }) {
                value = inheritedValue
            } else {
                // Not set in wick's environment: set empty, as systemd-socket-activate does.
                value = name + "="
            }
            result.removeAll { $0.hasPrefix(name + "=") }
            result.append(value)
        }
        return result
    }
}
