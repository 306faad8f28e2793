import Glibc
import WickCore
import WickSystem
import WickUnits

/// Service output into the daemon (systemd.exec(5) `StandardOutput=journal`): each captured
/// process writes into a pipe; wick reads it in the epoll loop, one line at a time, gives it a
/// priority as journald does (`SyslogLevelPrefix=`'s `<N>`, else `SyslogLevel=`) and an identifier
/// (`SyslogIdentifier=`, else the process name), and hands it to the `LogSink` (stdout, JSON or
/// the journal) and to the unit's bounded `LogBuffer`. A line longer than `maximumLineLength` is
/// split, as journald splits at `LineMax=`.
final class OutputRouter {
    static let maximumLineLength = 4096
    static let readsPerWakeUp = 16
    /// Tokens of output pipes have the top bit set, apart from listener and control tokens.
    static let tokenBit: UInt64 = 1 << 63

    private struct Stream {
        var fd: Int32
        var unit: String
        /// The buffer the lines go to: the unit's, or its template's for an instance.
        var buffer: String
        var pid: Int32
        var identifier: String
        var level: LogLevel
        var readsPrefix: Bool
        var partial: [UInt8] = []
    }

    private let epoll: Epoll
    private var streams: [UInt64: Stream] = [:]
    private var nextToken: UInt64 = 0
    private(set) var buffers: [String: LogBuffer] = [:]
    /// Called for every line after it is buffered (`logs -f` followers).
    var onLine: ((String, LogBuffer.Line) -> Void)?
    private var chunk = [UInt8](repeating: 0, count: 65536)

    private let sink: LogSink

    init(epoll: Epoll, sink: LogSink) {
        self.epoll = epoll
        self.sink = sink
    }

    /// A pipe for one process: the write end goes to the child (the caller closes its copy after
    /// spawning), the read end is `attach`ed once the pid is known.
    func makePipe() -> (writeEnd: Int32, readEnd: Int32)? {
        guard let pipe = try? Pipe.make() else { return nil }
        // A new pipe's read end has no status flag set: O_NONBLOCK is all of them (no F_GETFL).
        _ = fcntl(pipe.readEnd, F_SETFL, O_NONBLOCK)
        return (pipe.writeEnd, pipe.readEnd)
    }

    /// `executable`: the command's path, whose name is the default identifier.
    func attach(readEnd: Int32, unit: String, pid: Int32, exec: ExecContext, executable: String) {
        nextToken += 1
        let token = Self.tokenBit | nextToken
        // Only an instance (a name with `@`) has a template: no parse of every other unit's name.
        let template = unit.utf8.contains(UInt8(ascii: "@")) ? (try? UnitName(unit)).flatMap { $0.isInstance ? $0.templateName : nil } : nil
        // The executable's file name, found as a byte (a split by Character cost 15,000
        // instructions per start).
        let identifier = exec.syslogIdentifier
            ?? String(executable[(executable.utf8.lastIndex(of: UInt8(ascii: "/")).map { executable.utf8.index(after: $0) } ?? executable.startIndex)...])
        streams[token] = Stream(fd: readEnd, unit: unit, buffer: template ?? unit, pid: pid, identifier: identifier,
                                level: exec.syslogLevel, readsPrefix: exec.syslogLevelPrefix)
        do {
            try epoll.add(readEnd, token: token)
        } catch {
            closeDescriptor(readEnd)
            streams[token] = nil
        }
    }

    func owns(_ token: UInt64) -> Bool { token & Self.tokenBit != 0 }

    /// Reads what the pipe holds (at most `readsPerWakeUp` chunks: a process that writes without
    /// pause cannot hold the daemon here); at EOF flushes the last partial line and closes it.
    func readable(_ token: UInt64, now: Instant) {
        guard var stream = streams[token] else { return }
        let end = readAvailable(stream.fd, into: &chunk, budget: Self.readsPerWakeUp) { bytes in
            consume(bytes, into: &stream, now: now)
        }
        switch end {
        case .wouldBlock, .budgetSpent:
            streams[token] = stream
        case .endOfFile, .failed:
            if !stream.partial.isEmpty { emit(stream.partial[...], stream: stream, now: now) }
            epoll.remove(stream.fd)
            closeDescriptor(stream.fd)
            streams[token] = nil
        }
    }

    private func consume(_ bytes: ArraySlice<UInt8>, into stream: inout Stream, now: Instant) {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if stream.partial.isEmpty {
                emit(bytes[start..<newline], stream: stream, now: now)
            } else {
                stream.partial += bytes[start..<newline]
                emit(stream.partial[...], stream: stream, now: now)
                stream.partial.removeAll(keepingCapacity: true)
            }
            start = bytes.index(after: newline)
        }
        stream.partial += bytes[start...]
        while stream.partial.count >= Self.maximumLineLength {
            emit(stream.partial[..<Self.maximumLineLength], stream: stream, now: now)
            stream.partial.removeFirst(Self.maximumLineLength)
        }
    }

    /// Emits a line, split into pieces of at most `maximumLineLength` bytes.
    private func emit(_ line: ArraySlice<UInt8>, stream: Stream, now: Instant) {
        var rest = line
        while rest.count > Self.maximumLineLength {
            emitPiece(rest.prefix(Self.maximumLineLength), stream: stream, now: now)
            rest = rest.dropFirst(Self.maximumLineLength)
        }
        emitPiece(rest, stream: stream, now: now)
    }

    private func emitPiece(_ line: ArraySlice<UInt8>, stream: Stream, now: Instant) {
        var text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        var priority = stream.level
        if stream.readsPrefix {
            let split = SyslogPrefix.split(text)
            if let level = split.level { (priority, text) = (level, split.text) }
        }
        let instance = stream.buffer == stream.unit ? nil : stream.unit
        let line = buffers[stream.buffer, default: LogBuffer()].append(
            text, pid: stream.pid, time: now, instance: instance, priority: priority, identifier: stream.identifier)
        onLine?(stream.buffer, line)
        sink.service(unit: stream.unit, identifier: stream.identifier, pid: stream.pid, priority: priority, message: text)
    }

    /// Reads whatever every pipe holds now (before exits are processed, so that a unit's last
    /// lines come before its state change in the log); pipes at EOF are closed.
    func drainAll(now: Instant) {
        for token in Array(streams.keys) { readable(token, now: now) }
    }

    func closeAll(now: Instant) {
        drainAll(now: now)
    }
}
