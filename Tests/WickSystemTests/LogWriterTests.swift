import Glibc
import Testing
import WickSystem

/// `LogWriter`: whole lines to a file, a socket or a pipe, written from the string's own bytes;
/// a full pipe drops lines (wick never blocks on its log) and says how many once it drains.
@Suite struct LogWriterTests {
    static func readAll(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func linesReachAFileAndASocketWhole() {
        let path = "/tmp/wick-log-writer-\(getpid())"
        defer { unlink(path) }
        let file = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        #expect(file >= 0)
        defer { close(file) }
        let toFile = LogWriter(descriptor: file)
        toFile.write("wick: a\n")
        toFile.write("")
        toFile.write("wick: héllo \(String(repeating: "x", count: 100))\n")
        #expect(lseek(file, 0, SEEK_SET) == 0)
        #expect(Self.readAll(file) == "wick: a\nwick: héllo \(String(repeating: "x", count: 100))\n" && toFile.dropped == 0)

        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
        defer { close(pair[0]) }
        let toSocket = LogWriter(descriptor: pair[1])
        toSocket.write("wick: over a socket\n")
        close(pair[1])
        #expect(Self.readAll(pair[0]) == "wick: over a socket\n")
    }

    @Test func aFullPipeDropsLinesAndSaysHowManyOnceItDrains() {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(ends[0]) }
        let writer = LogWriter(descriptor: ends[1])  // reopened non-blocking: its own fd
        close(ends[1])
        let line = String(repeating: "y", count: 999) + "\n"
        var written = 0
        while writer.dropped == 0 && written < 10_000 {
            writer.write(line)
            written += 1
        }
        #expect(writer.dropped == 1, "the pipe filled up and a line was dropped, not waited for")
        writer.write(line)  // still full (a note may fit where a line does not: then it counts 1 again)
        let dropped = writer.dropped
        #expect(dropped >= 1)
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        _ = Self.readAll(ends[0])
        writer.write("after\n")
        #expect(writer.dropped == 0)
        #expect(Self.readAll(ends[0]) == "wick: \(dropped) log lines dropped: output was full or closed\nafter\n")
    }
}
