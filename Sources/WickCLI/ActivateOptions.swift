import ArgumentParser
import Glibc
import WickDaemon
import WickUnits

/// The options of `wick activate` as plain values: what `Activate` (swift-argument-parser)
/// declares, and what `parse` reads without it. The parser's reflection over the command cost 7.5
/// million instructions at every start, whatever the arguments (docs/performance.md); as for
/// `wick daemon` (`DaemonOptions`), the parser stays the one place for help and errors.
struct ActivateOptions: Equatable {
    var listens: [String] = []
    var accept = false
    var inetd = false
    var rearm = false
    var datagram = false
    var seqpacket = false
    /// Every `--fdname` value, in order.
    var fdname: [String] = []
    var setenv: [String] = []
    /// The command and its arguments (without a leading `--`).
    var command: [String] = []

    /// The arguments after `activate` when each option before the command is one `Activate`
    /// declares, written out (`-l ADDRESS`, `--listen ADDRESS`, `--listen=ADDRESS`, `-a`,
    /// `--accept`, `--inetd`, `--rearm`, `-d`, `--datagram`, `--seqpacket`, `--fdname NAMES`,
    /// `-E`/`--setenv VAR[=VALUE]`), then the command (after `--`, or from the first word that is
    /// not an option); nil for anything else (help, combined short flags, an unknown option, a
    /// missing value or one that looks like an option, a flag given twice, no
    /// command), which the parser then reads, and explains when it is wrong.
    static func parse(_ arguments: [String]) -> ActivateOptions? {
        var options = ActivateOptions()
        var given = Set<String>()
        var index = 0
        func value(_ inline: String?) -> String? {
            if let inline { return inline.isEmpty ? nil : inline }
            guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
            index += 1
            return arguments[index - 1]
        }
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                options.command = Array(arguments[index...])
                break
            }
            guard argument.hasPrefix("-"), argument.count > 1 else {
                options.command = Array(arguments[(index - 1)...])
                break
            }
            var name = argument, inline: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            } else if !argument.hasPrefix("--"), argument.count > 2, argument.hasPrefix("-l") || argument.hasPrefix("-E") {
                // `-lADDRESS`, `-EVAR=VALUE`, as getopt reads them.
                name = String(argument.prefix(2))
                inline = String(argument.dropFirst(2))
            }
            switch name {
            case "-l", "--listen":
                guard let address = value(inline) else { return nil }
                options.listens.append(address)
            case "-E", "--setenv", "--environment":
                guard let setting = value(inline) else { return nil }
                options.setenv.append(setting)
            case "--fdname":
                // `--fdname=` is one empty name.
                guard let names = inline == "" ? "" : value(inline) else { return nil }
                options.fdname.append(names)
            case "-a", "--accept", "--inetd", "--rearm", "-d", "--datagram", "--seqpacket":
                let flag = name == "-a" ? "--accept" : name == "-d" ? "--datagram" : name
                guard inline == nil, given.insert(flag).inserted else { return nil }
                switch flag {
                case "--accept": options.accept = true
                case "--inetd": options.inetd = true
                case "--rearm": options.rearm = true
                case "--datagram": options.datagram = true
                default: options.seqpacket = true
                }
            default:
                return nil
            }
        }
        return options.command.isEmpty ? nil : options
    }

    func validate() throws {
        if command.isEmpty { throw ValidationError("a command to run is required") }
        let inherited = ActivateConfiguration.inheritedSockets(environment: Self.inheritedEnvironment(), pid: getpid()).count
        if listens.isEmpty && inherited == 0 {
            throw ValidationError("at least one -l ADDRESS is required (or sockets passed to wick with LISTEN_FDS)")
        }
        if datagram && seqpacket { throw ValidationError("--datagram and --seqpacket exclude each other") }
        if rearm && accept { throw ValidationError("--rearm applies without --accept") }
        if inetd && !accept && listens.count + inherited != 1 {
            throw ValidationError("--inetd without --accept needs exactly one -l ADDRESS (it becomes stdin and stdout)")
        }
        // strv_env_replace_strdup_passthrough(): a name as a shell takes it.
        for setting in setenv {
            let name = setting.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? setting
            guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
                  name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
            else { throw ValidationError("-E \(setting): not a valid environment variable name") }
        }
    }

    /// The `--fdname` values as names: each split at ':' (empty names between two ':' dropped, as
    /// strv_split() does), an empty value one empty name.
    var fdNames: [String] {
        fdname.flatMap { value -> [String] in
            let names = value.split(separator: ":").map(String.init)
            return names.isEmpty ? [""] : names
        }
    }

    func run() throws {
        var specs: [ListenSpec] = []
        for address in listens {
            do throws(ValueError) {
                specs.append(try parse(address))
            } catch {
                throw ValidationError("-l \(address): \(error.message)")
            }
        }
        if accept, let bad = specs.first(where: { !$0.canAccept }) {
            throw ValidationError("--accept needs stream or sequential-packet sockets, but \(bad) is a \(bad.typeName.lowercased()) socket")
        }
        var configuration = ActivateConfiguration(
            listens: specs, accept: accept, inetd: inetd, rearm: rearm,
            fdNames: fdNames,
            environment: ActivateConfiguration.environment(inherited: Self.inheritedEnvironment(), settings: setenv),
            command: command)
        configuration.inherited = ActivateConfiguration.inheritedSockets(environment: Self.inheritedEnvironment(), pid: getpid())
        let activator: Activator
        do {
            activator = try Activator(configuration)
        } catch {
            FileHandleOutput.error("wick activate: \(error)")
            throw ExitCode.failure
        }
        let code = activator.run()
        if code != 0 { throw ExitCode(code) }
    }

    func parse(_ address: String) throws(ValueError) -> ListenSpec {
        // A type prefix starts with `s` or `d`; no address does (a path starts with `/`, an
        // abstract name with `@`, an IPv6 address with `[`, the others with a digit).
        if let first = address.utf8.first, first == UInt8(ascii: "s") || first == UInt8(ascii: "d") {
            for (prefix, make) in [("stream:", ListenSpec.stream), ("datagram:", ListenSpec.datagram)]
            where address.hasPrefix(prefix) {
                return make(try SocketAddress.parse(String(address.dropFirst(prefix.count))))
            }
            if address.hasPrefix("seqpacket:") {
                return .sequentialPacket(try SocketAddress.parse(String(address.dropFirst("seqpacket:".count))))
            }
        }
        let parsed = try SocketAddress.parse(address)
        if datagram { return .datagram(parsed) }
        if seqpacket { return .sequentialPacket(parsed) }
        return .stream(parsed)
    }

    static func inheritedEnvironment() -> [String] {
        var result: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            result.append(String(cString: entry))
            pointer += 1
        }
        return result
    }
}
