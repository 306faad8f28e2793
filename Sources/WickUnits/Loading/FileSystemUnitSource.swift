#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads unit directories from the real file system (the only code in WickUnits that calls the
/// kernel). Files larger than `maximumFileSize` are refused without being read to the end, so
/// that a huge file cannot hold the daemon's loop.
public struct FileSystemUnitSource: UnitSource {
    /// Unit files and drop-ins above 1 MiB are refused: systemd caps a logical line at 1 MiB
    /// (`LONG_LINE_MAX`), and the largest unit of the Debian corpus is 10 KiB.
    public static let unitFileLimit = 1 << 20
    /// Other files wick reads (/etc/passwd, /etc/group, `EnvironmentFile=`, /proc).
    public static let systemFileLimit = 64 << 20

    public let maximumFileSize: Int

    public init(maximumFileSize: Int = Self.unitFileLimit) { self.maximumFileSize = maximumFileSize }

    public func entries(of directory: String) -> [String]? {
        guard let stream = opendir(directory) else { return nil }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func kind(of path: String) -> UnitSourceEntryKind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(size: Int(info.st_size))
        case S_IFDIR: return .directory
        case S_IFLNK:
            var buffer = [UInt8](repeating: 0, count: 4096)
            let length = readlink(path, &buffer, buffer.count)
            guard length > 0 else { return .other }
            let target = String(decoding: buffer[..<length], as: UTF8.self)
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return .directory }
            return .symlink(target: target)
        default: return .other
        }
    }

    /// The bytes of a regular file. Opened without blocking (a FIFO in its place would otherwise
    /// hold the caller, PID 1, until a writer comes) and refused unless it is a regular file
    /// (`/dev/zero` behind a symlink, a FIFO, a directory).
    public func contents(of path: String) throws(ValueError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw ValueError("cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw ValueError("not a regular file, refused")
        }
        var bytes: [UInt8] = []
        // A unit file is a few hundred bytes: the first read is sized by fstat (one more byte to
        // see the end), not a 64 KiB buffer cleared per file.
        let first = max(512, min(65536, Int(clamping: info.st_size) + 1))
        var chunk = [UInt8](repeating: 0, count: first)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ValueError("cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
            if bytes.count > maximumFileSize {
                let limit = maximumFileSize % (1 << 20) == 0 ? "\(maximumFileSize >> 20) MiB" : "\(maximumFileSize) bytes"
                throw ValueError("file is larger than \(limit), refused")
            }
        }
    }
}
