import CWick
import Glibc
import WickControl
import WickSystem

/// The daemon's control socket (docs/control-protocol.md): a Unix stream socket, mode 0600; each
/// client sends one request line and gets one response line. Only root and wick's own uid are
/// served (`SO_PEERCRED`). Requests longer than `ControlProtocol.maximumRequestLength` are refused;
/// at most `maximumClients` are open at once; nothing here ever blocks the loop.
final class ControlServer {
    static let listenerToken: UInt64 = 3
    static let clientBit: UInt64 = 1 << 62
    static let maximumClients = 64

    let path: String
    private let fd: Int32
    private let epoll: Epoll
    private var clients: [UInt64: (fd: Int32, buffer: [UInt8], uid: UInt32)] = [:]
    private var nextClient: UInt64 = 0
    private let ownUID = getuid()

    init(path: String, epoll: Epoll) throws(SystemError) {
        self.path = path
        self.epoll = epoll
        try SocketBinder.makeParentDirectories(path, mode: 0o755)
        _ = unlink(path)
        var options = BindOptions()
        options.socketMode = 0o600
        options.backlog = 64
        fd = try SocketBinder.open(.stream(.unixPath(path)), options: options)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        try epoll.add(fd, token: Self.listenerToken)
    }

    deinit {
        for client in clients.values { closeDescriptor(client.fd) }
        closeDescriptor(fd)
        _ = unlink(path)
    }

    func owns(_ token: UInt64) -> Bool { token == Self.listenerToken || token & Self.clientBit != 0 }

    /// Handles readiness; `handle` turns a request (verb, units) into a response line.
    func readable(_ token: UInt64, log: (String) -> Void, handle: (String, [String], Int32?) -> String) {
        if token == Self.listenerToken {
            acceptClients(log: log)
            return
        }
        guard var client = clients[token] else { return }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(client.fd, &chunk, chunk.count)
            if count > 0 {
                client.buffer += chunk[..<count]
                if client.buffer.count > ControlProtocol.maximumRequestLength {
                    finish(token, client, ControlProtocol.failure("request longer than \(ControlProtocol.maximumRequestLength) bytes"))
                    return
                }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == EAGAIN { break }
            break
        }
        guard let newline = client.buffer.firstIndex(of: UInt8(ascii: "\n")) else {
            clients[token] = client
            return
        }
        let line = String(decoding: client.buffer[..<newline], as: UTF8.self)
        let response: String
        do throws(JSONValue.ParseError) {
            let request = try JSONValue.parse(line)
            guard let verb = request["verb"]?.stringValue else { throw JSONValue.ParseError(message: "missing \"verb\"") }
            let units = request["units"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let signal = request["signal"]?.numberValue.map { Int32($0) }
            if client.uid != 0 && client.uid != ownUID {
                log("control: uid \(client.uid) refused: permission denied")
                response = ControlProtocol.failure("permission denied")
            } else {
                response = handle(verb, units, signal)
            }
        } catch {
            response = ControlProtocol.failure("bad request: \(error.message)")
        }
        finish(token, client, response)
    }

    private func acceptClients(log: (String) -> Void) {
        while let connection = try? Acceptor.accept(fd) {
            guard clients.count < Self.maximumClients else {
                closeDescriptor(connection.fd)
                continue
            }
            _ = fcntl(connection.fd, F_SETFL, fcntl(connection.fd, F_GETFL) | O_NONBLOCK)
            var uid: UInt32 = .max
            if case .unix(_, let peerUID) = connection.remote { uid = peerUID }
            nextClient += 1
            let token = Self.clientBit | nextClient
            clients[token] = (connection.fd, [], uid)
            if (try? epoll.add(connection.fd, token: token)) == nil {
                closeDescriptor(connection.fd)
                clients[token] = nil
            }
        }
    }

    private func finish(_ token: UInt64, _ client: (fd: Int32, buffer: [UInt8], uid: UInt32), _ response: String) {
        var text = response
        text.withUTF8 { _ = send(client.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        epoll.remove(client.fd)
        closeDescriptor(client.fd)
        clients[token] = nil
    }
}
