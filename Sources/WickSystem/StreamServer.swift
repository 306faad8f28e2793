import CWick
import Glibc

/// The one bounded server of the daemon's own stream sockets (the control socket and the metrics
/// endpoint): a non-blocking listener and its clients in the daemon's epoll loop. Nothing here
/// blocks or grows without bound:
/// - at most `maximumClients` clients; the last `reservedForOwner` places are kept for root and
///   wick's own uid (`isOwner`), so that idle strangers cannot lock the owner out;
/// - input beyond `maximumInput` and output beyond `maximumOutput` close the client;
/// - every client has a deadline (`Client.deadline`), which the protocol sets;
/// - when accept(2) fails for want of fds or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), the
///   listener leaves epoll for `acceptBackoff` instead of spinning on a level-triggered fd, and
///   clients wait in the backlog.
/// Each client's fd has one owner (`OwnedDescriptor`) and is closed once, by `close(_:)`.
public final class StreamServer<State> {
    public struct Limits: Sendable {
        public var maximumClients: Int
        public var reservedForOwner: Int
        public var maximumInput: Int
        public var maximumOutput: Int
        /// Sent to a connection refused because the server is full.
        public var busyReply: [UInt8]
        public var acceptBackoffNanoseconds: UInt64 = 200_000_000

        public init(maximumClients: Int, reservedForOwner: Int, maximumInput: Int, maximumOutput: Int, busyReply: [UInt8]) {
            self.maximumClients = maximumClients
            self.reservedForOwner = reservedForOwner
            self.maximumInput = maximumInput
            self.maximumOutput = maximumOutput
            self.busyReply = busyReply
        }
    }

    public final class Client {
        public let token: UInt64
        let descriptor: OwnedDescriptor
        public let peer: PeerAddress
        public var state: State
        /// Bytes received and not yet consumed by the protocol.
        public var input: [UInt8] = []
        public internal(set) var output = OutputQueue()
        /// Monotonic nanoseconds; the client is closed once it passes.
        public var deadline: UInt64?
        /// Close once `output` is written.
        public internal(set) var closeWhenWritten = false
        var watchingWritable = false
        /// The peer closed its side, or sent more than `maximumInput`: nothing more is read.
        public internal(set) var inputClosed = false
        /// More than `maximumInput` bytes came; `input` holds the first `maximumInput`.
        public internal(set) var inputTooLong = false
        /// Whether the end of the client's input ends the client (not for a client that only
        /// reads, as `logs -f` through `socat`, which half-closes).
        public var closesAtEndOfInput = true

        init(token: UInt64, descriptor: consuming OwnedDescriptor, peer: PeerAddress, state: State) {
            self.token = token
            self.descriptor = descriptor
            self.peer = peer
            self.state = state
        }

        public var fd: Int32 { descriptor.raw }
    }

    /// What the protocol does with a new connection: its state, or a refusal text sent before
    /// closing.
    public enum Admission {
        case admit(State, deadline: UInt64?)
        case refuse([UInt8])
    }

    public let limits: Limits
    private let listener: OwnedDescriptor
    private let epoll: Epoll
    private let listenerToken: UInt64
    private let clientBit: UInt64
    private var nextClient: UInt64 = 0
    public private(set) var clients: [UInt64: Client] = [:]
    /// `clients.count`, kept apart: the daemon asks on every wake-up, and reading the dictionary
    /// of a generic class's clients there (this code is not specialized in the daemon) looks up
    /// its type metadata in the runtime each time (660 instructions, 60 cache lines of code).
    private var clientCount = 0
    /// While accept(2) is out of resources: when to listen again.
    public private(set) var acceptPausedUntil: UInt64?
    private var chunk = [UInt8](repeating: 0, count: 65536)
    private var shortageLogged = false

    /// `listener` is a non-blocking listening stream socket (`BindOptions.nonBlocking`). Tokens of this server
    /// are `listenerToken` and `clientBit | n`.
    public init(listener: consuming OwnedDescriptor, epoll: Epoll, listenerToken: UInt64, clientBit: UInt64, limits: Limits) throws(SystemError) {
        let fd = listener.raw
        self.listener = listener
        self.epoll = epoll
        self.listenerToken = listenerToken
        self.clientBit = clientBit
        self.limits = limits
        try epoll.add(fd, token: listenerToken)
    }

    deinit {
        for client in clients.values { epoll.remove(client.fd) }
        epoll.remove(listener.raw)
    }

    public func owns(_ token: UInt64) -> Bool { token == listenerToken || token & clientBit != 0 }

    public var nextDeadline: UInt64? {
        guard clientCount > 0 else { return acceptPausedUntil }
        var earliest = acceptPausedUntil
        for client in clients.values {
            if let deadline = client.deadline, deadline < earliest ?? .max { earliest = deadline }
        }
        return earliest
    }

    /// Closes clients whose deadline passed and resumes a paused listener.
    public func expire(now: UInt64) {
        // Run on every wake-up of the loop: nothing to copy when no client is connected (this
        // generic code is not specialized in the daemon: the copy cost 3,500 instructions a wake-up).
        if clientCount > 0 {
            for client in Array(clients.values) where (client.deadline ?? .max) <= now { close(client) }
        }
        if let until = acceptPausedUntil, until <= now {
            acceptPausedUntil = nil
            try? epoll.add(listener.raw, token: listenerToken)
        }
    }

    /// Handles readiness of `token`. New connections go through `admit`; a client with new input
    /// (or whose peer closed its side) goes to `received`, which consumes `client.input` and may
    /// `send` or `close`.
    public func ready(
        _ token: UInt64, now: UInt64, log: (String) -> Void,
        admit: (AcceptedConnection, _ isOwner: Bool) -> Admission, received: (Client) -> Void
    ) {
        if token == listenerToken {
            acceptAll(now: now, log: log, admit: admit)
            return
        }
        guard let client = clients[token] else { return }
        if !client.output.isEmpty {
            flush(client)
            guard clients[token] != nil else { return }
        }
        // Readability is not watched once input ended: a wake-up with nothing to write is the
        // peer hanging up (EPOLLHUP/EPOLLERR, level-triggered), so the client goes.
        if client.inputClosed && client.output.isEmpty {
            close(client)
            return
        }
        guard readAvailable(client) else { return }
        received(client)
        if clients[token] != nil, client.inputClosed, client.closesAtEndOfInput, !client.closeWhenWritten, client.output.isEmpty { close(client) }
    }

    /// Queues `bytes` for `client`; closes it when it would hold more than `limit` unread
    /// (`maximumOutput` unless said otherwise: a whole answer may be larger than what a streaming
    /// client may let pile up).
    public func send(_ bytes: some Sequence<UInt8>, to client: Client, thenClose: Bool = false, limit: Int? = nil) {
        guard clients[client.token] != nil else { return }
        client.output.append(bytes)
        if thenClose { client.closeWhenWritten = true }
        if client.output.count > (limit ?? limits.maximumOutput) {
            close(client)
            return
        }
        if !client.watchingWritable { flush(client) }
    }

    public func close(_ client: Client) {
        guard clients.removeValue(forKey: client.token) != nil else { return }
        clientCount -= 1
        epoll.remove(client.fd)
        // The fd closes when the last reference to the client goes (its OwnedDescriptor).
        shutdown(client.fd, Int32(SHUT_RDWR))
    }

    // MARK: Internals

    /// Reads what is there (up to `maximumInput`); false when the client was closed.
    private func readAvailable(_ client: Client) -> Bool {
        guard !client.inputClosed else { return true }
        let end = WickSystem.readAvailable(client.fd, into: &chunk) { bytes in
            let room = limits.maximumInput - client.input.count
            client.input += bytes.prefix(room)
            if bytes.count > room { client.inputTooLong = true }
        }
        switch end {
        case .failed:
            close(client)
            return false
        case .endOfFile:
            client.inputClosed = true
        case .wouldBlock, .budgetSpent:
            if client.inputTooLong { client.inputClosed = true }
        }
        if client.inputClosed {
            // No more input will be read: stop watching for readability (EOF stays readable).
            epoll.modify(client.fd, token: client.token, readable: false, writable: client.watchingWritable)
        }
        return true
    }

    private func flush(_ client: Client) {
        var output = client.output
        let outcome = output.flush(to: client.fd)
        client.output = output
        if outcome == .failed || (client.output.isEmpty && client.closeWhenWritten) {
            close(client)
            return
        }
        let wantsWritable = !client.output.isEmpty
        if wantsWritable != client.watchingWritable {
            epoll.modify(client.fd, token: client.token, readable: !client.inputClosed, writable: wantsWritable)
            client.watchingWritable = wantsWritable
        }
    }

    private func acceptAll(now: UInt64, log: (String) -> Void, admit: (AcceptedConnection, Bool) -> Admission) {
        while true {
            let connection: AcceptedConnection
            do throws(SystemError) {
                guard let accepted = try Acceptor.accept(listener.raw, nonBlocking: true) else { return }
                connection = accepted
            } catch {
                // Out of fds or memory: leave the backlog alone for a while (no busy loop), and
                // say so once per shortage, not at every retry.
                if !shortageLogged {
                    log("\(error), pausing this listener for \(limits.acceptBackoffNanoseconds / 1_000_000) ms at a time")
                    shortageLogged = true
                }
                epoll.remove(listener.raw)
                acceptPausedUntil = now &+ limits.acceptBackoffNanoseconds
                return
            }
            if shortageLogged {
                log("accepting again")
                shortageLogged = false
            }
            let descriptor = OwnedDescriptor(connection.fd)
            let isOwner: Bool
            if case .unix(_, let uid) = connection.remote { isOwner = uid == 0 || uid == getuid() } else { isOwner = false }
            let capacity = isOwner ? limits.maximumClients : limits.maximumClients - limits.reservedForOwner
            guard clients.count < capacity else {
                var refusal = OutputQueue(limits.busyReply)
                _ = refusal.flush(to: descriptor.raw)
                continue
            }
            switch admit(connection, isOwner) {
            case .refuse(let text):
                var refusal = OutputQueue(text)
                _ = refusal.flush(to: descriptor.raw)
                continue
            case .admit(let state, let deadline):
                nextClient &+= 1
                let client = Client(token: clientBit | nextClient, descriptor: descriptor, peer: connection.remote, state: state)
                client.deadline = deadline
                clients[client.token] = client
                clientCount += 1
                if (try? epoll.add(client.fd, token: client.token)) == nil { close(client) }
            }
        }
    }
}
