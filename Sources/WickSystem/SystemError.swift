import Glibc

/// A failed system call: what was attempted and the errno, printed as
/// `bind([::]:80): Address already in use`.
public struct SystemError: Error, Equatable, CustomStringConvertible {
    public var operation: String
    public var code: Int32

    public init(_ operation: String, code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }

    public var reason: String { String(cString: strerror(code)) }
    public var description: String { "\(operation): \(reason)" }
}

/// Runs a call that returns -1 and sets errno on failure, retrying EINTR.
@inline(__always)
func retrying<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ call: () -> T) throws(SystemError) -> T {
    while true {
        let result = call()
        if result >= 0 { return result }
        if errno == EINTR { continue }
        throw SystemError(operation())
    }
}

/// Closes an fd wick owns. Never retried: after EINTR the fd is gone on Linux.
public func closeDescriptor(_ fd: Int32) {
    if fd >= 0 { _ = Glibc.close(fd) }
}
