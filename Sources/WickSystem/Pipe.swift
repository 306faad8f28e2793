import CWick
import Glibc

/// pipe2(2) with both ends close-on-exec.
public enum Pipe {
    public static func make() throws(SystemError) -> (readEnd: Int32, writeEnd: Int32) {
        var fds: [Int32] = [-1, -1]
        _ = try retrying("pipe2") { fds.withUnsafeMutableBufferPointer { cwick_pipe2($0.baseAddress, O_CLOEXEC) } }
        return (fds[0], fds[1])
    }
}
