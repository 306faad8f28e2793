import WickUnits

/// A unit's recent output for `wick logs` and `wick status`: the last lines, bounded by count and
/// by bytes so that a chatty service cannot grow the daemon (journald keeps far more; wick keeps
/// what an operator needs to see why a service failed).
public struct LogBuffer: Sendable {
    public struct Line: Equatable, Sendable {
        public var time: Instant
        public var pid: Int32
        public var text: String
        /// The instance that wrote it, when the buffer is a template's (`name@.service` keeps the
        /// lines of all its per-connection instances, so instances do not grow the daemon).
        public var instance: String?
        /// Its syslog priority (`SyslogLevel=`, or the `<N>` prefix the text had).
        public var priority: LogLevel
        /// The name it is logged under (`SyslogIdentifier=`, else the process name).
        public var identifier: String

        public init(time: Instant, pid: Int32, text: String, instance: String? = nil, priority: LogLevel = .info, identifier: String = "") {
            self.time = time
            self.pid = pid
            self.text = text
            self.instance = instance
            self.priority = priority
            self.identifier = identifier
        }
    }

    public let maximumLines: Int
    public let maximumBytes: Int
    public private(set) var lines: [Line] = []
    private var head = 0
    private var bytes = 0
    /// Lines dropped to stay within the bounds.
    public private(set) var dropped: UInt64 = 0

    public init(maximumLines: Int = 1000, maximumBytes: Int = 256 * 1024) {
        self.maximumLines = maximumLines
        self.maximumBytes = maximumBytes
    }

    @discardableResult
    public mutating func append(
        _ text: String, pid: Int32, time: Instant, instance: String? = nil, priority: LogLevel = .info, identifier: String = ""
    ) -> Line {
        let line = Line(time: time, pid: pid, text: text, instance: instance, priority: priority, identifier: identifier)
        defer { while bytes > maximumBytes && count > 1 { dropOldest() } }
        bytes += text.utf8.count
        if lines.count < maximumLines {
            lines.append(line)
        } else {
            bytes -= lines[head].text.utf8.count
            lines[head] = line
            head = (head + 1) % maximumLines
            dropped += 1
        }
        return line
    }

    public var count: Int { lines.count }

    /// The lines, oldest first; the last `limit` when given.
    public func recent(_ limit: Int? = nil) -> [Line] {
        let ordered = Array(lines[head...]) + Array(lines[..<head])
        guard let limit else { return ordered }
        return Array(ordered.suffix(limit))
    }

    private mutating func dropOldest() {
        var ordered = recent()
        bytes -= ordered.removeFirst().text.utf8.count
        lines = ordered
        head = 0
        dropped += 1
    }
}
