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

    private let server: StreamServer<Void>

    init(address: SocketAddress, epoll: Epoll) throws(SystemError) {
        var options = BindOptions()
        options.backlog = 16
        options.nonBlocking = true
        let listener = OwnedDescriptor(try SocketBinder.open(.stream(address), options: options))
        server = try StreamServer(
            listener: listener, epoll: epoll, listenerToken: Self.listenerToken, clientBit: Self.clientBit,
            limits: .init(maximumClients: Self.maximumClients, reservedForOwner: 0, maximumInput: Self.maximumRequest,
                          maximumOutput: Int.max, busyReply: Self.head("503 Service Unavailable", "text/plain", Array("busy\n".utf8))))
    }

    func owns(_ token: UInt64) -> Bool { server.owns(token) }

    var nextDeadline: Instant? { server.nextDeadline.map(Instant.init(nanoseconds:)) }

    func expire(now: Instant) { server.expire(now: now.nanoseconds) }

    /// Handles readiness; `body` renders the exposition text when a scrape arrives.
    func ready(_ token: UInt64, now: Instant, log: (String) -> Void, body: () -> [UInt8]) {
        server.ready(token, now: now.nanoseconds, log: { log("metrics: \($0)") }, admit: { _, _ in
            .admit((), deadline: now.adding(Self.requestTimeout).nanoseconds)
        }, received: { client in
            guard !client.closeWhenWritten,
                  let response = Self.response(to: client.input, ended: client.inputTooLong || client.inputClosed, body: body) else { return }
            client.input = []
            client.deadline = now.adding(Self.writeTimeout).nanoseconds
            server.send(response, to: client, thenClose: true)
        })
    }

    /// The response to a complete request head, nil while the head is incomplete.
    /// `ended`: no more input will come (the head is over the limit, or the peer closed its side).
    static func response(to request: [UInt8], ended: Bool = false, body: () -> [UInt8]) -> [UInt8]? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        let complete = request.count >= 4 && (0...(request.count - 4)).contains { Array(request[$0..<$0 + 4]) == terminator }
        guard complete || ended || request.count >= maximumRequest else { return nil }
        let line = request.prefix { $0 != 13 && $0 != 10 }.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard complete, line.count == 3, line[2].hasPrefix("HTTP/1.") else { return head("400 Bad Request", "text/plain", Array("bad request\n".utf8)) }
        guard line[0] == "GET" else { return head("405 Method Not Allowed", "text/plain", Array("only GET\n".utf8)) }
        guard line[1].prefix(while: { $0 != "?" }) == "/metrics" else { return head("404 Not Found", "text/plain", Array("wick serves /metrics\n".utf8)) }
        return head("200 OK", "text/plain; version=0.0.4; charset=utf-8", body())
    }

    private static func head(_ status: String, _ type: String, _ body: [UInt8]) -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
    }
}
