import Glibc

/// Bytes waiting to be written to a non-blocking socket: appends are amortised O(1) and a partial
/// write only moves an offset (the written prefix is dropped in bulk, never shifted byte by byte).
public struct OutputQueue {
    private var bytes: [UInt8] = []
    private var start = 0

    public enum Outcome {
        /// Everything was written.
        case done
        /// The socket is full; the rest waits until it is writable again.
        case wouldBlock
        /// The peer is gone (or another error): close it.
        case failed
    }

    public init() {}

    public init(_ initial: some Sequence<UInt8>) { bytes = Array(initial) }

    /// Bytes not yet written.
    public var count: Int { bytes.count - start }
    public var isEmpty: Bool { start == bytes.count }

    public mutating func append(_ more: some Sequence<UInt8>) { bytes.append(contentsOf: more) }

    /// Writes what it can without waiting (MSG_DONTWAIT) and without SIGPIPE (MSG_NOSIGNAL).
    public mutating func flush(to fd: Int32) -> Outcome {
        defer { compact() }
        while start < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress.map { $0 + start }, raw.count - start, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            if written > 0 {
                start += written
                continue
            }
            if written < 0 && errno == EINTR { continue }
            return written < 0 && errno == EAGAIN ? .wouldBlock : .failed
        }
        return .done
    }

    private mutating func compact() {
        if start == bytes.count {
            bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 16)
            start = 0
        } else if start >= 1 << 16 && start * 2 >= bytes.count {
            bytes.removeFirst(start)
            start = 0
        }
    }
}
