import CWick
import Glibc
import WickCore

/// Attaches a classic BPF program to a socket (`SO_ATTACH_FILTER`): the kernel runs it on every
/// packet for the socket, SYNs to a listener included, and drops what it returns 0 for. Accepted
/// connections inherit it.
public enum SocketFilter {
    public static func attach(_ program: [IPAccessFilter.Instruction], to fd: Int32) throws(SystemError) {
        // struct sock_filter: u16 code, u8 jt, u8 jf, u32 k (native order), 8 bytes.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(program.count * 8)
        for instruction in program {
            withUnsafeBytes(of: instruction.code) { bytes += $0 }
            bytes += [instruction.jt, instruction.jf]
            withUnsafeBytes(of: instruction.k) { bytes += $0 }
        }
        let result = bytes.withUnsafeBytes { cwick_attach_filter(fd, $0.baseAddress, Int32(program.count)) }
        if result != 0 { throw SystemError("setsockopt(SO_ATTACH_FILTER)") }
    }

    /// Removes the program (`SO_DETACH_FILTER`), if there is one.
    public static func detach(from fd: Int32) throws(SystemError) {
        if cwick_detach_filter(fd) != 0 { throw SystemError("setsockopt(SO_DETACH_FILTER)") }
    }
}
