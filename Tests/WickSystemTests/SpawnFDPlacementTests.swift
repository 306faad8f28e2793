import Foundation
import Glibc
import Testing
import WickSystem

/// Where the child's fds come from (`place_fds` in spawn.c): stdin, stdout, stderr and the passed
/// fds land on 0, 1, 2, 3... in order and stay open across exec, whether every source lies above
/// that range (placed at once) or one lies inside it (moved above first, systemd's shift_fds()).
@Suite struct SpawnFDPlacementTests {
    /// Runs a shell printing where fds 0-4 point, with the given stderr and passed fds.
    static func links(stderr: SpawnPlan.Stream, fds: [Int32]) throws -> [String] {
        var pipe: [Int32] = [0, 0]
        #expect(Glibc.pipe(&pipe) == 0)
        for fd in pipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let script = "for fd in 0 1 2 3 4; do readlink /proc/self/fd/$fd || echo closed; done"
        let plan = SpawnPlan(path: "/bin/sh", arguments: ["/bin/sh", "-c", script], environment: ["PATH=/usr/bin:/bin"])
        let result = plan.spawn(fds: fds, stdin: .null, stdout: .fd(pipe[1]), stderr: stderr, newSession: false)
        close(pipe[1])
        let pid = try result.get()
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(pipe[0], &buffer, buffer.count)
            if count <= 0 { break }
            output.append(contentsOf: buffer[0..<count])
        }
        close(pipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func file(_ name: String) -> (path: String, fd: Int32) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wick-fds-\(getpid())-\(name)").path
        return (path, open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600))
    }

    @Test func sourcesAboveTheRangeArePlacedDirectly() throws {
        let (a, b) = (Self.file("a"), Self.file("b"))
        defer { close(a.fd); close(b.fd); unlink(a.path); unlink(b.path) }
        #expect(a.fd > 4 && b.fd > 4)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wick-fds-\(getpid())-err").path
        let err = open(out, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        defer { close(err); unlink(out) }
        let links = try Self.links(stderr: .fd(err), fds: [b.fd, a.fd])
        #expect(links.count == 5)
        #expect(links.first == "/dev/null" && links[1].hasPrefix("pipe:"), "\(links)")
        #expect(links[2] == out && links[3] == b.path && links[4] == a.path, "\(links)")
    }

    @Test func aSourceInsideTheRangeIsMovedFirst() throws {
        let (a, b) = (Self.file("c"), Self.file("d"))
        defer { close(a.fd); close(b.fd); unlink(a.path); unlink(b.path) }
        // stderr from fd 2 (inside 0-4), and the two files crossed: nothing overwritten.
        let before = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/2")
        let links = try Self.links(stderr: .fd(2), fds: [a.fd, b.fd])
        #expect(links.count == 5)
        #expect(links.first == "/dev/null" && links[1].hasPrefix("pipe:") && links[2] == before, "\(links)")
        #expect(links[3] == a.path && links[4] == b.path, "\(links)")
    }
}
