import CWick
import Glibc

/// A memfd holding bytes, read from its start: the standard input of `StandardInput=data`.
public enum MemoryFile {
    /// The fd (close-on-exec; the caller closes it), or the error.
    public static func holding(_ bytes: [UInt8]) -> Result<Int32, SystemError> {
        let fd = bytes.withUnsafeBytes { cwick_memfd_with($0.baseAddress, $0.count) }
        return fd >= 0 ? .success(fd) : .failure(SystemError("memfd_create"))
    }
}
