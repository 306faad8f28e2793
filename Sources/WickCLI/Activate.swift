import ArgumentParser
import Glibc
import WickDaemon
import WickUnits

/// `wick activate`: the one-off mode, a drop-in for systemd-socket-activate(1).
public struct Activate: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "Listen on sockets and start a command on traffic, like systemd-socket-activate.",
        discussion: """
            Without --accept, at the first traffic wick execs the command in place with every listening \
            socket (fds 3, 4, ... in the order of -l), as systemd-socket-activate does; with --rearm it \
            starts the command instead and listens again when it exits. With --accept each connection \
            starts one command, the connection at fd 3. --inetd puts the connection (or without \
            --accept the one listening socket) on stdin and stdout instead. LISTEN_FDS, LISTEN_PID and \
            LISTEN_FDNAMES are set except with --inetd, REMOTE_ADDR and REMOTE_PORT for IP peers in \
            accept mode, and wick's own environment is passed through.
            An address may start with stream:, datagram: or seqpacket: to mix kinds.
            """
    )

    @Option(name: [.short, .customLong("listen")], help: "Address to listen on (repeatable): PORT, IP:PORT, [IPv6]:PORT, /path, @abstract.")
    var listen: [String] = []

    @Flag(name: [.short, .long], help: "Start one command per connection.")
    var accept = false

    @Flag(name: .long, help: "Pass the connection (or, without --accept, the one listening socket) as stdin and stdout.")
    var inetd = false

    @Flag(name: .long, help: "Without --accept: start the command again on the next traffic after it exits (trigger limit: 20 starts in 2 s).")
    var rearm = false

    @Flag(name: [.short, .long], help: "Listen on datagram sockets.")
    var datagram = false

    @Flag(name: .long, help: "Listen on sequential-packet sockets.")
    var seqpacket = false

    @Option(name: .long, help: "Names for the fds, colon-separated, in order (repeatable; one name names every fd).")
    var fdname: [String] = []

    @Option(name: [.customShort("E"), .customLong("setenv"), .customLong("environment")],
            help: "Set VAR=VALUE, or pass VAR through (repeatable).")
    var setenv: [String] = []

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String] = []

    /// The `-l` addresses gathered by `condensingListens`, NUL-separated (an argument cannot
    /// contain NUL).
    @Option(name: .customLong("listen-condensed"), help: .hidden)
    var listenCondensed: String?

    public init() {}

    /// Every `-l` address, in command-line order. The condensed list is cut at its NUL bytes (cut
    /// by `Character`, 1,000 addresses cost 4.7 million instructions a call).
    var listens: [String] {
        let condensed = listenCondensed.map { $0.utf8.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) } }
        return (condensed ?? []) + listen
    }

    /// swift-argument-parser handles a repeated option in time linear in the arguments, so 1,000
    /// `-l` took 170 ms (2,000: 2.7 billion instructions, issue 14). The `-l ADDRESS`,
    /// `--listen ADDRESS` and `--listen=ADDRESS` before the command are gathered into one hidden
    /// option, in their order; whatever follows the command (its own `-l`) is left alone.
    public static func condensingListens(_ arguments: [String]) -> [String] {
        guard arguments.first == "activate" else { return arguments }
        var kept = ["activate"], listens: [String] = []
        var index = 1
        let takesValue: Set<String> = ["--fdname", "-E", "--setenv", "--environment", "--listen-condensed"]
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("-l"), argument.count > 2 {
                // `-lADDRESS`, as getopt reads it.
                listens.append(String(argument.dropFirst(2)))
                index += 1
            } else if argument.hasPrefix("-E"), argument.count > 2 {
                kept += ["-E", String(argument.dropFirst(2))]
                index += 1
            } else if argument == "-l" || argument == "--listen", index + 1 < arguments.count {
                listens.append(arguments[index + 1])
                index += 2
            } else if argument.hasPrefix("--listen=") {
                listens.append(String(argument.dropFirst("--listen=".count)))
                index += 1
            } else if takesValue.contains(argument), index + 1 < arguments.count {
                kept += [argument, arguments[index + 1]]
                index += 2
            } else if argument == "--" || !argument.hasPrefix("-") {
                kept += arguments[index...]
                break
            } else {
                kept.append(argument)
                index += 1
            }
        }
        // Before the command: after it, everything is the command's.
        return listens.isEmpty ? kept : ["activate", "--listen-condensed", listens.joined(separator: "\0")] + kept.dropFirst()
    }

    /// The parsed options as plain values (`ActivateOptions`, which `Wick.run` also reads directly).
    var options: ActivateOptions {
        ActivateOptions(
            listens: listens, accept: accept, inetd: inetd, rearm: rearm, datagram: datagram, seqpacket: seqpacket,
            fdname: fdname, setenv: setenv, command: command.first == "--" ? Array(command.dropFirst()) : command)
    }

    public func validate() throws {
        // systemd-socket-activate's getopt stops at the first word that is not an option: an
        // unknown option before the command is an error, not the command.
        if let first = command.first, first.hasPrefix("-"), first.count > 1, first != "--" {
            throw ValidationError("unrecognized option '\(first)'")
        }
        try options.validate()
    }

    public func run() throws { try options.run() }
}

/// Writing to stdout and stderr without Foundation, unbuffered.
enum FileHandleOutput {
    static func error(_ message: String) {
        writeAll(2, message + "\n")
    }

    /// Writes `text` to stdout now (`logs -f` lines must not wait in a buffer).
    static func standard(_ text: String) {
        writeAll(1, text)
    }

    private static func writeAll(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
