import Glibc

/// Watches unit directories and their `*.d`/`*.wants`/`*.requires` subdirectories with inotify(7),
/// for `wick daemon --watch`. The daemon only learns "something changed"; which units changed is
/// found by reloading, as `daemon-reload` does.
public final class DirectoryWatcher {
    public let fd: Int32
    private static let mask = UInt32(IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
    private var buffer = [UInt8](repeating: 0, count: 16384)

    public init(directories: [String]) throws(SystemError) {
        fd = try retrying("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
        rescan(directories)
    }

    deinit { closeDescriptor(fd) }

    /// Watches the directories and their current subdirectories (new drop-in directories appear
    /// after a reload's rescan; creating one is itself an event of the parent).
    public func rescan(_ directories: [String]) {
        for directory in directories {
            add(directory)
            guard let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard name.hasSuffix(".d") || name.hasSuffix(".wants") || name.hasSuffix(".requires") else { continue }
                add(directory + "/" + name)
            }
        }
    }

    /// Adding a watch twice returns the same watch, so a rescan only adds what is new.
    private func add(_ path: String) {
        _ = inotify_add_watch(fd, path, Self.mask)
    }

    /// Reads every pending event; returns whether there was any.
    public func drain() -> Bool {
        var any = false
        _ = readAvailable(fd, into: &buffer, budget: 64) { _ in any = true }
        return any
    }
}
