import Glibc

/// wick's own stdout or stderr, written without ever blocking the loop: a container's log pipe
/// that nobody reads, or that was closed, must not stall or kill PID 1. A pipe or terminal is
/// reopened through /proc/self/fd with O_NONBLOCK (a new open file description: the flag does
/// not leak to whoever shares the original), a socket is written with MSG_DONTWAIT, a regular
/// file as it is. A line that does not fit is dropped and counted; the count is reported before
/// the next line that fits.
public final class LogWriter {
    private enum Kind { case socket, nonBlocking, plain }

    private let fd: Int32
    private let ownsDescriptor: Bool
    private let kind: Kind
    public private(set) var dropped: UInt64 = 0

    public init(descriptor: Int32) {
        var info = stat()
        let mode = fstat(descriptor, &info) == 0 ? info.st_mode & S_IFMT : 0
        if mode == S_IFSOCK {
            (fd, ownsDescriptor, kind) = (descriptor, false, .socket)
        } else if mode == S_IFIFO || mode == S_IFCHR {
            let reopened = open("/proc/self/fd/\(descriptor)", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
            (fd, ownsDescriptor, kind) = reopened >= 0 ? (reopened, true, .nonBlocking) : (descriptor, false, .plain)
        } else {
            (fd, ownsDescriptor, kind) = (descriptor, false, .plain)
        }
    }

    deinit { if ownsDescriptor { closeDescriptor(fd) } }

    /// Writes `text` (a whole line with its newline) or drops it.
    public func write(_ text: String) {
        if dropped > 0 {
            let note = "wick: \(dropped) log lines dropped: output was full or closed\n"
            guard put(Array(note.utf8)) else {
                dropped &+= 1
                return
            }
            dropped = 0
        }
        // The line's own bytes where the string has them contiguous (no copy into an array).
        let sent = text.utf8.withContiguousStorageIfAvailable { put(UnsafeRawBufferPointer($0)) } ?? put(Array(text.utf8))
        if !sent { dropped &+= 1 }
    }

    private func put(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { put($0) } }

    /// All of `bytes`, or false. A partial write of a line is completed when the rest fits at
    /// once; otherwise the line is cut (the next line starts on a new line).
    private func put(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let base = raw.baseAddress else { return true }
        var offset = 0
        while offset < raw.count {
            let written: Int
            switch kind {
            case .socket: written = send(fd, base + offset, raw.count - offset, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            case .nonBlocking, .plain: written = Glibc.write(fd, base + offset, raw.count - offset)
            }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0 && errno == EINTR { continue }
            if offset > 0 {
                var newline: UInt8 = 10
                _ = Glibc.write(fd, &newline, 1)
            }
            return false
        }
        return true
    }
}
