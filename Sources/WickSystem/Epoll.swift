import CWick
import Glibc

/// One epoll instance (epoll(7)), the daemon's only wait point. Each registration carries a
/// 64-bit token chosen by the caller (an id, never the fd alone, so that a reused fd number cannot
/// be confused with a closed one: swift-nio's SelectorEpoll).
public final class Epoll {
    public let fd: Int32
    private var events: [epoll_event]

    public init(capacity: Int = 64) throws(SystemError) {
        fd = try retrying("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        events = Array(repeating: epoll_event(), count: capacity)
    }

    deinit { closeDescriptor(fd) }

    public func add(_ watched: Int32, token: UInt64, readable: Bool = true) throws(SystemError) {
        var event = epoll_event()
        event.events = readable ? EPOLLIN.rawValue : 0
        event.data.u64 = token
        _ = try retrying("epoll_ctl(ADD, \(watched))") { epoll_ctl(fd, EPOLL_CTL_ADD, watched, &event) }
    }

    /// Changes what a registered fd is watched for (EPOLLOUT while a reply waits to be written).
    public func modify(_ watched: Int32, token: UInt64, readable: Bool, writable: Bool) {
        var event = epoll_event()
        event.events = (readable ? EPOLLIN.rawValue : 0) | (writable ? EPOLLOUT.rawValue : 0)
        event.data.u64 = token
        _ = epoll_ctl(fd, EPOLL_CTL_MOD, watched, &event)
    }

    public func remove(_ watched: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, watched, &event)
    }

    /// Waits until at least one fd is ready or `timeoutMilliseconds` pass (-1: forever). `tokens`
    /// becomes the tokens of the ready fds, in the caller's array: a loop that passes the same one
    /// each time allocates none per wake-up.
    public func wait(timeoutMilliseconds: Int32, into tokens: inout [UInt64]) throws(SystemError) {
        tokens.removeAll(keepingCapacity: true)
        let count = events.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(fd, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds)
        }
        if count < 0 {
            if errno == EINTR { return }
            throw SystemError("epoll_wait")
        }
        tokens.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            tokens.append(events[index].data.u64)
        }
    }
}
