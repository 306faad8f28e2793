import ArgumentParser
import Glibc

/// `wick install-links [DIR]`: the symlinks under which wick answers as systemctl, journalctl
/// and systemd-analyze (next to the binary by default), as busybox's `--install`.
public struct InstallLinks: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "install-links",
        abstract: "Create the systemctl, journalctl and systemd-analyze symlinks to this binary."
    )
    @Argument(help: "The directory for the links (default: the binary's own).") var directory: String?
    @Flag(help: "Replace files already there.") var force = false
    public init() {}

    public func run() throws {
        guard let binary = realpath("/proc/self/exe", nil) else { throw ValidationError("cannot read /proc/self/exe") }
        defer { free(binary) }
        let target = String(cString: binary)
        let folder = directory ?? String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
        for name in Wick.personalities.keys.sorted() {
            let path = folder + "/" + name
            if force { unlink(path) }
            guard symlink(target, path) == 0 else {
                FileHandleOutput.error("wick install-links: \(path): \(String(cString: strerror(errno)))" + (errno == EEXIST ? " (--force replaces it)" : ""))
                throw ExitCode.failure
            }
            print("\(path) -> \(target)")
        }
    }
}
