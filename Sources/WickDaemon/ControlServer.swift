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
}

/// The daemon's control socket (docs/control-protocol.md): a Unix stream socket, each client sends
/// one request line and gets one response line. Access (`SO_PEERCRED`): root and wick's own uid
/// may do everything, members of `--control-group` may use read-only verbs, everyone else is
/// refused and the refusal is logged.
///
/// Nothing here blocks the loop or grows without bound: requests longer than
/// `ControlProtocol.maximumRequestLength` are refused, a client gets `requestTimeout` to send its
/// request and `writeTimeout` to read its response, at most `maximumClients` are open (one more is
/// told "too many clients" and closed), and a follower that stops reading is dropped once
/// `maximumPendingOutput` bytes wait for it.
final class ControlServer {
    static let listenerToken: UInt64 = 3
    static let clientBit: UInt64 = 1 << 62
    static let maximumClients = 256
    static let maximumPendingOutput = 1 << 20
    static let requestTimeout: UInt64 = 5_000_000_000
    static let writeTimeout: UInt64 = 30_000_000_000

    private struct Client {
        var fd: Int32
        var uid: UInt32
        var inGroup: Bool
        var input: [UInt8] = []
        var output: [UInt8] = []
        var deadline: Instant?
        /// Set once the request was answered: the units whose lines are streamed (`logs -f`).
        var following: Set<String>?
        var closeWhenWritten = false
        var watchingWritable = false
    }

    let path: String
    private let fd: Int32
    private let epoll: Epoll
    private var clients: [UInt64: Client] = [:]
    private var nextClient: UInt64 = 0
    private let ownUID = getuid()
    private let readerGroup: gid_t?
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// `readerGroup`: `--control-group`; the socket is then mode 0660 and owned by that group.
    init(path: String, epoll: Epoll, readerGroup: gid_t? = nil) throws(SystemError) {
        self.path = path
        self.epoll = epoll
        self.readerGroup = readerGroup
        try SocketBinder.makeParentDirectories(path, mode: 0o755)
        _ = unlink(path)
        var options = BindOptions()
        options.socketMode = readerGroup == nil ? 0o600 : 0o660
        options.backlog = 128
        fd = try SocketBinder.open(.stream(.unixPath(path)), options: options)
        if let readerGroup, chown(path, uid_t.max, readerGroup) != 0 {
            throw SystemError("chown \(path) to group \(readerGroup)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        try epoll.add(fd, token: Self.listenerToken)
    }

    deinit {
        for client in clients.values { closeDescriptor(client.fd) }
        closeDescriptor(fd)
        _ = unlink(path)
    }

    func owns(_ token: UInt64) -> Bool { token == Self.listenerToken || token & Self.clientBit != 0 }

    var clientCount: Int { clients.count }

    /// The earliest client deadline (a request not sent, a response not read).
    var nextDeadline: Instant? { clients.values.compactMap(\.deadline).min() }

    /// Closes clients whose deadline passed.
    func expire(now: Instant) {
        for (token, client) in clients {
            if let deadline = client.deadline, deadline <= now { close(token) }
        }
    }

    /// Handles readiness; `handle` turns a permitted request into a reply.
    func ready(_ token: UInt64, now: Instant, log: (String) -> Void, handle: (ControlRequest) -> ControlReply) {
        if token == Self.listenerToken {
            acceptClients(now: now)
            return
        }
        guard var client = clients[token] else { return }
        if !client.output.isEmpty {
            flush(token, &client, now: now)
            guard clients[token] != nil else { return }
        }
        var endOfInput = false
        while true {
            let count = chunk.withUnsafeMutableBytes { read(client.fd, $0.baseAddress, $0.count) }
            if count > 0 {
                guard client.following == nil, !client.closeWhenWritten else { continue }
                client.input += chunk[..<count]
                if client.input.count > ControlProtocol.maximumRequestLength && !client.input.contains(UInt8(ascii: "\n")) {
                    client.input = []
                    respond(token, &client, .response(ControlProtocol.failure("request longer than \(ControlProtocol.maximumRequestLength) bytes")), now: now)
                    return
                }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == EAGAIN { break }
            endOfInput = true
            break
        }
        if client.following == nil, !client.closeWhenWritten, let newline = client.input.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: client.input[..<newline], as: UTF8.self)
            client.input = []
            respond(token, &client, answer(line, client: client, log: log, handle: handle), now: now)
            return
        }
        if endOfInput {
            close(token)
            return
        }
        clients[token] = client
    }

    /// Streams one log line to every follower of its unit.
    func publish(unit: String, line: LogBuffer.Line) {
        guard clients.values.contains(where: { $0.following != nil }) else { return }
        let text = LogLineJSON.encode(unit: unit, line: line).serialized + "\n"
        for (token, var client) in clients {
            guard let following = client.following, following.isEmpty || following.contains(unit) else { continue }
            client.output += text.utf8
            if client.output.count > Self.maximumPendingOutput {
                close(token)
                continue
            }
            flush(token, &client, now: nil)
        }
    }

    private func answer(_ line: String, client: Client, log: (String) -> Void, handle: (ControlRequest) -> ControlReply) -> ControlReply {
        let request: ControlRequest
        do throws(JSONValue.ParseError) {
            request = try ControlRequest(try JSONValue.parse(line))
        } catch {
            return .response(ControlProtocol.failure("bad request: \(error.message)"))
        }
        let privileged = client.uid == 0 || client.uid == ownUID
        guard privileged || (client.inGroup && request.isReadOnly) else {
            log("control: \(request.verb) from uid \(client.uid) refused: permission denied")
            return .response(ControlProtocol.failure(
                "permission denied: \(request.verb) needs root or the daemon's user"
                    + (request.isReadOnly ? " or --control-group" : "")))
        }
        return handle(request)
    }

    private func respond(_ token: UInt64, _ client: inout Client, _ reply: ControlReply, now: Instant) {
        switch reply {
        case .response(let text):
            client.output += text.utf8
            client.closeWhenWritten = true
            client.deadline = now.adding(Self.writeTimeout)
        case .follow(let text, let units):
            client.output += text.utf8
            client.following = units
            client.deadline = nil
        }
        flush(token, &client, now: now)
    }

    /// Writes what is pending; watches for writability while something is left, closes a client
    /// whose answer is complete.
    private func flush(_ token: UInt64, _ client: inout Client, now: Instant?) {
        if SocketWriter.write(client.fd, &client.output) == .failed {
            close(token)
            return
        }
        if client.output.isEmpty && client.closeWhenWritten {
            close(token)
            return
        }
        let wantsWritable = !client.output.isEmpty
        if wantsWritable != client.watchingWritable {
            epoll.modify(client.fd, token: token, readable: true, writable: wantsWritable)
            client.watchingWritable = wantsWritable
        }
        clients[token] = client
    }

    private func acceptClients(now: Instant) {
        while let connection = try? Acceptor.accept(fd) {
            guard clients.count < Self.maximumClients else {
                var text = Array(ControlProtocol.failure("too many clients (\(Self.maximumClients)), try again").utf8)
                _ = SocketWriter.write(connection.fd, &text)
                closeDescriptor(connection.fd)
                continue
            }
            _ = fcntl(connection.fd, F_SETFL, fcntl(connection.fd, F_GETFL) | O_NONBLOCK)
            var uid: UInt32 = .max
            if case .unix(_, let peerUID) = connection.remote { uid = peerUID }
            let inGroup = readerGroup.map { cwick_peer_in_group(connection.fd, $0) == 1 } ?? false
            nextClient += 1
            let token = Self.clientBit | nextClient
            clients[token] = Client(fd: connection.fd, uid: uid, inGroup: inGroup, deadline: now.adding(Self.requestTimeout))
            if (try? epoll.add(connection.fd, token: token)) == nil { close(token) }
        }
    }

    private func close(_ token: UInt64) {
        guard let client = clients.removeValue(forKey: token) else { return }
        epoll.remove(client.fd)
        closeDescriptor(client.fd)
    }
}
