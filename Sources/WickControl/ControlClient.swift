import Glibc

/// Sends one request to the daemon's control socket and returns the response object.
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

    public static func send(_ request: String, to path: String) throws(Failure) -> JSONValue {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "control socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            throw Failure(description: "cannot reach wick at \(path): \(String(cString: strerror(errno))) (is `wick daemon` running? set WICK_CONTROL or --control)")
        }
        var line = request
        let sent = line.withUTF8 { write(fd, $0.baseAddress, $0.count) }
        guard sent == line.utf8.count else { throw Failure(description: "write to \(path) failed") }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !response.contains(UInt8(ascii: "\n")) {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            response += buffer[..<count]
        }
        let text = String(decoding: response.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        do throws(JSONValue.ParseError) {
            return try JSONValue.parse(text)
        } catch {
            throw Failure(description: "bad response from wick: \(error.message)")
        }
    }
}
