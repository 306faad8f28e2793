import CWick
import Glibc
import WickControl
import WickCore
import WickSystem

/// What the daemon does with a handled request.
enum ControlReply {
    /// Send this response and close.
    case response(String)
    /// Send this response, keep the connection, and stream the log lines of these units (all
    /// units when empty): `logs -f`.
    case follow(String, units: Set<String>)
    /// Keep the connection until the jobs of a `start`, `stop` or `restart` have finished; the
    /// daemon answers through `ControlServer.complete`.
    case wait(ControlWait)
}

/// A verb waiting for its jobs: the jobs not yet finished (with their units), and the failures
/// of those that have.
struct ControlWait {
    var jobs: [JobID: String]
    /// `reload`: each service and the `reloadsEnded` count that says its reload has ended.
    var reloads: [UnitID: UInt64] = [:]
    var failures: [String] = []
}

/// The daemon's control socket (docs/control-protocol.md): a Unix stream socket, each client sends
/// one request line and gets one response line. Access (`SO_PEERCRED`): root and wick's own uid
/// may do everything, members of `--control-group` may use read-only verbs, everyone else is
/// refused and the refusal is logged.
///
/// The bounds are `StreamServer`'s: requests longer than `ControlProtocol.maximumRequestLength`
/// are refused, a client gets `requestTimeout` to send its request and `writeTimeout` to read its
/// response, at most `maximumClients` are open with `reservedForOwner` of them kept for root and
/// wick's uid, and a follower that stops reading is dropped once `maximumPendingOutput` bytes
/// wait for it (a log line costs one append per follower, never a copy of what is pending).
final class ControlServer {
    static let listenerToken: UInt64 = 3
    static let clientBit: UInt64 = 1 << 62
    static let maximumClients = 256
    static let reservedForOwner = 16
    static let maximumPendingOutput = 256 * 1024
    /// One answer (`status` of every unit, `logs` of full buffers) may be larger.
    static let maximumResponse = 64 << 20
    static let requestTimeout: UInt64 = 5_000_000_000
    static let writeTimeout: UInt64 = 30_000_000_000

    struct Session {
        var uid: UInt32
        var inGroup: Bool
        /// Set once a `logs -f` request was answered: the units whose lines are streamed.
        var following: Set<String>?
        /// Set while the client waits for its jobs.
        var waiting: ControlWait?
    }

    let path: String
    private let server: StreamServer<Session>
    private let readerGroup: gid_t?
    /// Tokens of the clients that follow logs (most clients do not: publishing skips them all).
    private var followers: Set<UInt64> = []
    /// Tokens of the clients waiting for their jobs (the loop looks only at these).
    private var waiting: Set<UInt64> = []

    /// `readerGroup`: `--control-group`; the socket is then mode 0660 and owned by that group.
    init(path: String, epoll: Epoll, readerGroup: gid_t? = nil) throws(SystemError) {
        self.path = path
        self.readerGroup = readerGroup
        try SocketBinder.makeParentDirectories(path, mode: 0o755)
        _ = unlink(path)
        var options = BindOptions()
        options.socketMode = readerGroup == nil ? 0o600 : 0o660
        options.backlog = 1024
        options.nonBlocking = true
        let listener = OwnedDescriptor(try SocketBinder.open(.stream(.unixPath(path)), options: options))
        if let readerGroup, chown(path, uid_t.max, readerGroup) != 0 {
            throw SystemError("chown \(path) to group \(readerGroup)")
        }
        server = try StreamServer(
            listener: listener, epoll: epoll, listenerToken: Self.listenerToken, clientBit: Self.clientBit,
            limits: .init(maximumClients: Self.maximumClients, reservedForOwner: Self.reservedForOwner,
                          maximumInput: ControlProtocol.maximumRequestLength, maximumOutput: Self.maximumPendingOutput,
                          busyReply: Array(ControlProtocol.failure("too many clients (\(Self.maximumClients)), try again", code: .refused).utf8)))
    }

    deinit { _ = unlink(path) }

    func owns(_ token: UInt64) -> Bool { server.owns(token) }

    var clientCount: Int { server.clients.count }

    /// The earliest client deadline (a request not sent, a response not read), or the end of an
    /// accept back-off.
    var nextDeadline: Instant? { server.nextDeadline.map(Instant.init(nanoseconds:)) }

    func expire(now: Instant) {
        server.expire(now: now.nanoseconds)
        // Every wake-up comes here: no new set (an allocation) when nobody follows.
        if !followers.isEmpty { followers = followers.filter { server.clients[$0] != nil } }
    }

    /// Handles readiness; `handle` turns a permitted request into a reply.
    func ready(_ token: UInt64, now: Instant, log: (String) -> Void, handle: (ControlRequest) -> ControlReply) {
        server.ready(token, now: now.nanoseconds, log: { log("control: \($0)") }, admit: { connection, _ in
            var uid: UInt32 = .max
            if case .unix(_, let peerUID) = connection.remote { uid = peerUID }
            let inGroup = readerGroup.map { cwick_peer_in_group(connection.fd, $0) == 1 } ?? false
            return .admit(Session(uid: uid, inGroup: inGroup), deadline: now.adding(Self.requestTimeout).nanoseconds)
        }, received: { client in
            received(client, now: now, log: log, handle: handle)
        })
        if server.clients[token] == nil { followers.remove(token) }
    }

    private func received(_ client: StreamServer<Session>.Client, now: Instant, log: (String) -> Void, handle: (ControlRequest) -> ControlReply) {
        guard client.state.following == nil, client.state.waiting == nil, !client.closeWhenWritten else {
            client.input = []   // a follower's further input means nothing
            return
        }
        if let newline = client.input.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: client.input[..<newline], as: UTF8.self)
            client.input = []
            respond(client, answer(line, session: client.state, log: log, handle: handle), now: now, log: log)
        } else if client.inputClosed, !client.input.isEmpty, !client.inputTooLong {
            // The peer's end of input ends its request too (`printf '{...}' | socat`, `nc -N`).
            let line = String(decoding: client.input, as: UTF8.self)
            client.input = []
            respond(client, answer(line, session: client.state, log: log, handle: handle), now: now, log: log)
        } else if client.inputTooLong {
            client.input = []
            respond(client, .response(ControlProtocol.failure("request longer than \(ControlProtocol.maximumRequestLength) bytes", code: .invalidRequest)), now: now, log: log)
        }
    }

    /// Streams one log line to every follower of its unit.
    func publish(unit: String, line: LogBuffer.Line) {
        guard !followers.isEmpty else { return }
        var text: [UInt8]?
        for token in followers {
            guard let client = server.clients[token], let following = client.state.following,
                  following.isEmpty || following.contains(unit) else { continue }
            if text == nil { text = Array((LogLineJSON.line(unit: unit, line).json.serialized + "\n").utf8) }
            server.send(text ?? [], to: client)
        }
        followers = followers.filter { server.clients[$0] != nil }
    }

    private func answer(_ line: String, session: Session, log: (String) -> Void, handle: (ControlRequest) -> ControlReply) -> ControlReply {
        let request: ControlRequest
        do throws(JSONValue.ParseError) {
            request = try ControlRequest(try JSONValue.parse(line))
        } catch {
            return .response(ControlProtocol.failure("bad request: \(error.message)", code: .invalidRequest))
        }
        let privileged = session.uid == 0 || session.uid == getuid()
        guard privileged || (session.inGroup && request.isReadOnly) else {
            log("control: \(request.verb) from uid \(session.uid) refused: permission denied")
            return .response(ControlProtocol.failure(
                "permission denied: \(request.verb) needs root or the daemon's user"
                    + (request.isReadOnly ? " or --control-group" : ""), code: .refused))
        }
        return handle(request)
    }

    private func respond(_ client: StreamServer<Session>.Client, _ reply: ControlReply, now: Instant, log: (String) -> Void) {
        switch reply {
        case .response(let text):
            client.deadline = now.adding(Self.writeTimeout).nanoseconds
            // An answer over the limit is an error the client can read, not a closed connection.
            let bounded = text.utf8.count <= Self.maximumResponse ? text : Self.tooLarge(text.utf8.count, log: log)
            server.send(bounded.utf8, to: client, thenClose: true, limit: Self.maximumResponse)
        case .follow(let text, let units):
            guard text.utf8.count <= Self.maximumResponse else {
                respond(client, .response(text), now: now, log: log)
                return
            }
            client.state.following = units
            client.deadline = nil
            client.closesAtEndOfInput = false
            followers.insert(client.token)
            server.send(text.utf8, to: client, limit: Self.maximumResponse)
        case .wait(let wait):
            client.state.waiting = wait
            client.deadline = nil
            // A client that ended its request by closing its side waits for the answer too.
            client.closesAtEndOfInput = false
            waiting.insert(client.token)
        }
    }

    private static func tooLarge(_ size: Int, log: (String) -> Void) -> String {
        let message = "answer of \(size) bytes is larger than \(maximumResponse >> 20) MiB: name fewer units or ask for fewer lines"
        log("control: \(message)")
        return ControlProtocol.failure(message, code: .failed)
    }

    /// Whether a client waits for a reload (looked at after every wake-up: a reload ends with a
    /// state change, not with a job).
    var waitsForReloads: Bool {
        !waiting.isEmpty && waiting.contains { server.clients[$0]?.state.waiting?.reloads.isEmpty == false }
    }

    /// The clients waiting for their jobs (those that hung up are forgotten here).
    func pendingWaits() -> [(token: UInt64, wait: ControlWait)] {
        guard !waiting.isEmpty else { return [] }
        waiting = waiting.filter { server.clients[$0] != nil }
        return waiting.compactMap { token in server.clients[token]?.state.waiting.map { (token, $0) } }
    }

    /// Records what a waiting client still waits for.
    func update(_ token: UInt64, _ wait: ControlWait) {
        server.clients[token]?.state.waiting = wait
    }

    /// Answers every waiting client with `text` (the daemon is about to exit: the shutdown
    /// deadline passed while they waited).
    func completeAll(_ text: String, now: Instant) {
        for (token, _) in pendingWaits() { complete(token, text, now: now) }
    }

    /// Answers a waiting client and closes it once the answer is written.
    func complete(_ token: UInt64, _ text: String, now: Instant) {
        waiting.remove(token)
        guard let client = server.clients[token] else { return }
        client.state.waiting = nil
        client.deadline = now.adding(Self.writeTimeout).nanoseconds
        server.send(text.utf8, to: client, thenClose: true, limit: Self.maximumResponse)
    }
}
