import Glibc

/// The client side of the control protocol: one request, one response line, and for `logs -f`
/// the stream of lines that follows.
public enum ControlClient {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The control socket: `$WICK_CONTROL`, else /run/wick/control for root, else
    /// `$XDG_RUNTIME_DIR/wick/control`.
    public static func defaultPath() -> String {
        if let path = getenv("WICK_CONTROL") { return String(cString: path) }
        if getuid() == 0 { return "/run/wick/control" }
        return (getenv("XDG_RUNTIME_DIR").map { String(cString: $0) } ?? "/tmp") + "/wick/control"
    }

    /// Sends `request` and returns the response object.
    public static func send(_ request: String, to path: String) throws(Failure) -> JSONValue {
        var result: JSONValue = .null
        try exchange(request, to: path) { line in
            result = line
            return false
        }
        return result
    }

    /// Sends `request` and hands every line the daemon sends to `receive` (the response first),
    /// until the daemon closes or `receive` returns false.
    public static func exchange(_ request: String, to path: String, receive: (JSONValue) -> Bool) throws(Failure) {
        let fd = try connect(path)
        defer { close(fd) }
        var line = request
        // No SIGPIPE: a daemon that refuses the connection (too many clients) answers and closes
        // before reading the request, and its answer is still there to read.
        let sent = line.withUTF8 { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let sendError = sent == line.utf8.count ? nil : String(cString: strerror(errno))
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var received = false
        while true {
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let text = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                let value: JSONValue
                do throws(JSONValue.ParseError) {
                    value = try JSONValue.parse(text)
                } catch {
                    throw Failure(description: "bad response from wick: \(error.message)")
                }
                received = true
                if !receive(value) { return }
            }
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            pending += buffer[..<count]
        }
        if !received {
            if let sendError { throw Failure(description: "write to \(path) failed: \(sendError)") }
            throw Failure(description: "wick at \(path) closed the connection without a response")
        }
    }

    private static func connect(_ path: String) throws(Failure) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw Failure(description: "control socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            if code == EACCES {
                throw Failure(description: "permission denied on \(path) (run as root or the daemon's user, or as a member of its --control-group)")
            }
            throw Failure(description: "cannot reach wick at \(path): \(String(cString: strerror(code))) (is `wick daemon` running? set WICK_CONTROL or --control)")
        }
        return fd
    }
}
