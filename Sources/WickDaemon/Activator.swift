import CWick
import Glibc
import WickCore
import WickSystem
import WickUnits

/// `wick activate`: one socket unit run from the command line (systemd-socket-activate(1)), on one
/// thread and one epoll loop. Without `--accept`, at the first traffic it execs the command in
/// place with every listening fd (LISTEN_PID is wick's own pid), as systemd-socket-activate does,
/// so the command runs once and its exit status is wick's; with `--rearm` it starts the command
/// instead, stops polling while it runs and listens again when it exits (the exit-on-idle
/// pattern), within the trigger limit of an `Accept=no` socket (20 starts in 2 s). With
/// `--accept` it accepts each connection and starts one command per connection. `--inetd` puts
/// the connection, or without `--accept` the one listening socket, on stdin and stdout.
public final class Activator {
    private let configuration: ActivateConfiguration
    private let plan: SpawnPlan
    private let epoll: Epoll
    private let signals: SignalDescriptor
    private var listeners: [Int32] = []
    /// The command started without `--accept`, while it runs.
    private var runningPID: Int32?
    /// Every child started in accept mode and not yet reaped.
    private var children: Set<Int32> = []
    private var polling = false
    private let listenEnvironment: [String]
    /// `--rearm`: systemd's trigger limit of an Accept=no socket.
    private var triggerLimit = RateLimit(interval: .seconds(2), burst: 20)

    static let signalToken: UInt64 = 0

    public init(_ configuration: ActivateConfiguration) throws(SystemError) {
        self.configuration = configuration
        // A closed stdin, stdout or stderr is /dev/null first, so that no fd of wick's (the
        // signalfd, the epoll fd) takes its number and reaches the command as its stdio.
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 { _ = open("/dev/null", O_RDWR) }
        // A stop signal wick inherited as ignored (`nohup`, a background job's SIGINT and
        // SIGQUIT) stays ignored, as it stays for systemd-socket-activate, which installs no
        // handler: it is left out of the signalfd (a blocked signal is queued even when ignored).
        let stops = [SIGTERM, SIGINT, SIGQUIT, SIGHUP].filter { cwick_signal_is_ignored($0) == 0 }
        signals = try SignalDescriptor(signals: [SIGCHLD, SIGPIPE] + stops)
        epoll = try Epoll()
        plan = SpawnPlan(path: configuration.command[0], arguments: configuration.command, environment: configuration.environment,
                         searchPath: Self.callerSearchPath)
        listenEnvironment = ["LISTEN_FDS=\(configuration.socketCount)", "LISTEN_FDNAMES=\(configuration.listenFDNames)"]
        // systemd-socket-activate's "Listening on ADDRESS as fd N." for each, written at once
        // (a write per line: 1,000 system calls for 1,000 `-l`).
        var listening: [UInt8] = []
        defer { if !listening.isEmpty { Self.write(String(decoding: listening, as: UTF8.self)) } }
        // make_socket_fd(): Unix socket nodes 0644 (only their owner may connect), parents 0755
        // under the caller's umask.
        var options = BindOptions()
        options.socketMode = 0o644
        options.exactDirectoryMode = false
        if !configuration.inherited.isEmpty {
            listening += "wick activate: Received \(configuration.inherited.count) descriptors via the environment.\n".utf8
            for fd in configuration.inherited {
                // With --accept each must be listening: accept(2) on anything else fails for ever
                // on a level-triggered fd.
                if configuration.accept && !Self.isListening(fd) {
                    throw SystemError("fd \(fd) passed in LISTEN_FDS is not a listening socket, which --accept needs", code: EINVAL)
                }
                // Wick's own from now on: close-on-exec like the ones it binds (the spawn places them).
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                listeners.append(fd)
                listening += "wick activate: Listening on inherited fd \(fd) as fd \(listeners.count + 2).\n".utf8
            }
        }
        do throws(SystemError) {
            for spec in configuration.listens {
                let fd = try SocketBinder.open(spec, options: options)
                listeners.append(fd)
                listening += "wick activate: Listening on ".utf8
                if case .stream(.ipv4(let bytes, let port)) = spec {
                    IPAddress.appendIPv4(bytes, port: port, to: &listening)
                } else {
                    listening += spec.description.utf8
                }
                listening += " as fd ".utf8
                IPAddress.appendDecimal(UInt(listeners.count + 2), to: &listening)
                listening += ".\n".utf8
            }
            try epoll.add(signals.fd, token: Self.signalToken)
            try startPolling()
        } catch {
            listeners.forEach(closeDescriptor)
            listeners.removeAll()  // deinit runs for a throwing init too
            throw error
        }
    }

    private static func isListening(_ fd: Int32) -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting != 0
    }

    deinit { listeners.forEach(closeDescriptor) }

    /// Where a command without '/' is looked up: the caller's `PATH`, as systemd-socket-activate's
    /// execvpe() does (glibc's default when it is unset).
    static var callerSearchPath: String { getenv("PATH").map { String(cString: $0) } ?? "/bin:/usr/bin" }

    /// wick's own stdin, which systemd-socket-activate leaves to the command (fd 0 is not
    /// touched but with `--inetd`); /dev/null when wick has none.
    private static var inheritedStdin: SpawnPlan.Stream { fcntl(0, F_GETFD) >= 0 ? .fd(0) : .null }

    /// Runs until SIGTERM, SIGINT, SIGQUIT or SIGHUP (the children get SIGTERM and wick dies of
    /// the signal, as systemd-socket-activate, which does not catch them, and whose children get
    /// SIGTERM when it dies) or until the command cannot be executed (returns 127 or 126, as a
    /// shell does), or an accept fails for another reason than a retryable one (returns 1).
    public func run() -> Int32 {
        var tokens: [UInt64] = []
        while true {
            do throws(SystemError) {
                try epoll.wait(timeoutMilliseconds: -1, into: &tokens)
            } catch {
                log("\(error)")
                return 1
            }
            for token in tokens {
                if token == Self.signalToken {
                    if let code = handleSignals() { return code }
                } else if let code = listenerReady(Int(token) - 1) {
                    return code
                }
            }
        }
    }

    private func startPolling() throws(SystemError) {
        guard !polling else { return }
        for (index, fd) in listeners.enumerated() { try epoll.add(fd, token: UInt64(index + 1)) }
        polling = true
    }

    private func stopPolling() {
        guard polling else { return }
        listeners.forEach(epoll.remove)
        polling = false
    }

    private func listenerReady(_ index: Int) -> Int32? {
        if !configuration.accept && !configuration.rearm {
            log("Communication attempt on fd \(index + 3).")
            let error = configuration.inetd
                ? plan.exec(stdin: .fd(listeners[0]), stdout: .fd(listeners[0]))
                : plan.exec(fds: listeners, stdin: Self.inheritedStdin, extraEnvironment: listenEnvironment, setListenPID: true)
            log("\(error)")
            return error.code == ENOENT ? 127 : 126
        }
        if !configuration.accept {
            guard runningPID == nil else { return nil }
            guard triggerLimit.allow(now: Instant(nanoseconds: MonotonicClock.nanoseconds())) else {
                log("trigger limit hit (more than 20 starts in 2 s), exiting")
                terminateChildren()
                return 1
            }
            let result = configuration.inetd
                ? plan.spawn(stdin: .fd(listeners[0]), stdout: .fd(listeners[0]), deathSignal: SIGTERM)
                : plan.spawn(fds: listeners, stdin: Self.inheritedStdin, extraEnvironment: listenEnvironment, setListenPID: true, deathSignal: SIGTERM)
            switch result {
            case .success(let pid):
                runningPID = pid
                stopPolling()
                return nil
            case .failure(let failure):
                return execFailed(failure)
            }
        }
        let connection: AcceptedConnection
        do throws(SystemError) {
            guard let accepted = try Acceptor.accept(listeners[index]) else { return nil }
            connection = accepted
        } catch {
            // systemd-socket-activate's do_accept(): an error that is not a retryable one (EMFILE,
            // ENOBUFS ...) ends it with status 1 (a loop retrying it would spin).
            log("Failed to accept connection on fd \(index + 3): \(error.reason)")
            terminateChildren()
            return 1
        }
        defer { closeDescriptor(connection.fd) }
        var environment: [String] = []
        if case .ip(let address, let port) = connection.remote {
            environment = ["REMOTE_ADDR=\(address)", "REMOTE_PORT=\(port)"]
        }
        let result: Result<Int32, SpawnPlan.Failure>
        if configuration.inetd {
            result = plan.spawn(stdin: .fd(connection.fd), stdout: .fd(connection.fd), extraEnvironment: environment, deathSignal: SIGTERM)
        } else {
            result = plan.spawn(fds: [connection.fd], stdin: Self.inheritedStdin,
                                extraEnvironment: ["LISTEN_FDS=1", "LISTEN_FDNAMES=\(configuration.acceptFDNames)"] + environment,
                                setListenPID: true, deathSignal: SIGTERM)
        }
        switch result {
        case .success(let pid):
            children.insert(pid)
            return nil
        case .failure(let failure) where failure.pid != nil:
            // The connection's command could not be executed: that child ends (systemd-socket-
            // activate's exits 1), wick goes on serving the others and accepting.
            log("\(failure.error)")
            if let pid = failure.pid { _ = try? Reaper.wait(for: pid) }
            return nil
        case .failure(let failure):
            // No child at all (fork failed): systemd-socket-activate ends with status 1.
            return execFailed(failure)
        }
    }

    private func execFailed(_ failure: SpawnPlan.Failure) -> Int32 {
        log("\(failure.error)")
        if let pid = failure.pid { _ = try? Reaper.wait(for: pid) }
        terminateChildren()
        return failure.error.code == ENOENT ? 127 : failure.pid == nil ? 1 : 126
    }

    private func handleSignals() -> Int32? {
        for signal in signals.drain() {
            switch signal {
            case SIGCHLD:
                for (pid, status) in Reaper.reapAll() {
                    children.remove(pid)
                    if pid == runningPID {
                        runningPID = nil
                        if status != .exited(0) { log("\(configuration.command[0]) \(status)") }
                        do throws(SystemError) { try startPolling() } catch { log("\(error)"); return 1 }
                    }
                }
            case SIGTERM, SIGINT, SIGQUIT, SIGHUP:
                terminateChildren()
                Self.die(of: signal)
                return 128 + signal
            default:
                break
            }
        }
        return nil
    }

    /// Sends SIGTERM to every child's process group (each child is a session leader, so its own
    /// descendants are reached too), without waiting for them: a child that ignores SIGTERM does
    /// not keep wick (and its ports) alive, as none keeps systemd-socket-activate.
    private func terminateChildren() {
        var pids = children
        if let runningPID { pids.insert(runningPID) }
        for pid in pids where pid > 0 { _ = kill(-pid, SIGTERM) }
        children.removeAll()
        runningPID = nil
    }

    /// Ends wick by `signal`'s default action, as it ends systemd-socket-activate (the shell sees
    /// 128 + the signal). As PID 1 of a namespace the kernel drops such a signal: the caller then
    /// exits with 128 + the signal.
    private static func die(of signal: Int32) {
        Glibc.signal(signal, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        raise(signal)
    }

    private func log(_ message: String) {
        Self.write("wick activate: " + message + "\n")
    }

    /// Writes `text` to stderr.
    private static func write(_ text: String) {
        var text = text
        text.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
