import Glibc
import WickCore
import WickSystem
import WickUnits

/// The HTTP endpoint of `--metrics ADDR`: `GET /metrics` answers the exposition text
/// (`text/plain; version=0.0.4`), another path 404, another method 405; one request per connection
/// (`Connection: close`). Bounded like the control socket: 8 KiB of request head, 5 s to send it,
/// 10 s to read the answer, at most 16 scrapers at once.
final class MetricsServer {
    static let listenerToken: UInt64 = 5
    static let clientBit: UInt64 = 1 << 61
    static let maximumClients = 16
    static let maximumRequest = 8192
    static let requestTimeout: UInt64 = 5_000_000_000
    static let writeTimeout: UInt64 = 10_000_000_000

    private struct Client {
        var fd: Int32
        var input: [UInt8] = []
        var output: [UInt8] = []
        var deadline: Instant
        var answered = false
    }

    private let fd: Int32
    private let epoll: Epoll
    private var clients: [UInt64: Client] = [:]
    private var nextClient: UInt64 = 0
    private var chunk = [UInt8](repeating: 0, count: 4096)

    init(address: SocketAddress, epoll: Epoll) throws(SystemError) {
        self.epoll = epoll
        var options = BindOptions()
        options.backlog = 16
        fd = try SocketBinder.open(.stream(address), options: options)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        try epoll.add(fd, token: Self.listenerToken)
    }

    deinit {
        for client in clients.values { closeDescriptor(client.fd) }
        closeDescriptor(fd)
    }

    func owns(_ token: UInt64) -> Bool { token == Self.listenerToken || token & Self.clientBit != 0 }

    var nextDeadline: Instant? { clients.values.map(\.deadline).min() }

    func expire(now: Instant) {
        for (token, client) in clients where client.deadline <= now { close(token) }
    }

    /// Handles readiness; `body` renders the exposition text when a scrape arrives.
    func ready(_ token: UInt64, now: Instant, body: () -> [UInt8]) {
        if token == Self.listenerToken {
            while let connection = try? Acceptor.accept(fd) {
                guard clients.count < Self.maximumClients else {
                    closeDescriptor(connection.fd)
                    continue
                }
                _ = fcntl(connection.fd, F_SETFL, fcntl(connection.fd, F_GETFL) | O_NONBLOCK)
                nextClient += 1
                let clientToken = Self.clientBit | nextClient
                clients[clientToken] = Client(fd: connection.fd, deadline: now.adding(Self.requestTimeout))
                if (try? epoll.add(connection.fd, token: clientToken)) == nil { close(clientToken) }
            }
            return
        }
        guard var client = clients[token] else { return }
        if !client.answered {
            while true {
                let count = chunk.withUnsafeMutableBytes { read(client.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    client.input += chunk[..<count]
                    if client.input.count > Self.maximumRequest { break }
                    continue
                }
                if count < 0 && errno == EINTR { continue }
                if count == 0 || errno != EAGAIN {
                    close(token)
                    return
                }
                break
            }
            guard let response = Self.response(to: client.input, body: body) else {
                clients[token] = client
                return
            }
            client.output = response
            client.answered = true
            client.deadline = now.adding(Self.writeTimeout)
        }
        flush(token, &client)
    }

    /// The response to a complete request head, nil while the head is incomplete.
    static func response(to request: [UInt8], body: () -> [UInt8]) -> [UInt8]? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        let complete = request.count >= 4 && (0...(request.count - 4)).contains { Array(request[$0..<$0 + 4]) == terminator }
        guard complete || request.count > maximumRequest else { return nil }
        let line = request.prefix { $0 != 13 && $0 != 10 }.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard complete, line.count == 3, line[2].hasPrefix("HTTP/1.") else { return head("400 Bad Request", "text/plain", Array("bad request\n".utf8)) }
        guard line[0] == "GET" else { return head("405 Method Not Allowed", "text/plain", Array("only GET\n".utf8)) }
        guard line[1].prefix(while: { $0 != "?" }) == "/metrics" else { return head("404 Not Found", "text/plain", Array("wick serves /metrics\n".utf8)) }
        return head("200 OK", "text/plain; version=0.0.4; charset=utf-8", body())
    }

    private static func head(_ status: String, _ type: String, _ body: [UInt8]) -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
    }

    private func flush(_ token: UInt64, _ client: inout Client) {
        if SocketWriter.write(client.fd, &client.output) == .wouldBlock {
            epoll.modify(client.fd, token: token, readable: false, writable: true)
            clients[token] = client
            return
        }
        close(token)
    }

    private func close(_ token: UInt64) {
        guard let client = clients.removeValue(forKey: token) else { return }
        epoll.remove(client.fd)
        closeDescriptor(client.fd)
    }
}
