#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One syntactic element of a unit file, with the line it starts on.
public enum UnitFileElement: Equatable, Sendable {
    case section(name: String, line: Int)
    case assignment(Assignment)
}

/// `Key=Value` as written, after continuation joining and whitespace trimming.
public struct Assignment: Equatable, Sendable {
    public var section: String
    public var key: String
    public var value: String
    public var location: SourceLocation

    public init(section: String, key: String, value: String, location: SourceLocation) {
        self.section = section
        self.key = key
        self.value = value
        self.location = location
    }
}

/// Splits unit-file text into sections and assignments following systemd.syntax(7) and systemd's
/// `config_parse()`:
/// - lines starting with `#` or `;` (after leading whitespace) are comments, also inside a
///   continuation, where they are skipped;
/// - a line ending in an unescaped backslash continues on the next line, the backslash replaced by
///   a space;
/// - `[Section]` headers; keys and values are trimmed of whitespace;
/// - a logical line longer than systemd's `LONG_LINE_MAX` (1 MiB) fails the whole file, as in systemd.
///
/// The lexer never fails on bytes: NUL bytes and invalid UTF-8 become diagnostics.
public struct UnitFileLexer {
    /// systemd's `LONG_LINE_MAX`.
    public static let maximumLineLength = 1024 * 1024

    public private(set) var assignments: [Assignment] = []
    public private(set) var diagnostics: [Diagnostic] = []
    /// Sections seen, in order, including unknown ones (reported by the caller).
    public private(set) var sections: [(name: String, line: Int)] = []

    private let file: String

    /// Lexes `bytes` (the content of `file`).
    public init(file: String, bytes: some Collection<UInt8>) {
        self.file = file
        lex(Array(bytes))
    }

    /// Lexes a string (tests and drop-ins built in memory).
    public init(file: String, text: String) {
        self.init(file: file, bytes: Array(text.utf8))
    }

    private mutating func lex(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { lex($0) }
    }

    /// One pass over the bytes. A line that neither continues nor is continued (nearly every
    /// line) is handed on in place; only continuations are joined in a buffer.
    private mutating func lex(_ bytes: UnsafeBufferPointer<UInt8>) {
        var section: String? = nil
        var continuation: [UInt8] = []
        var continuationLine = 0
        var inContinuation = false
        var lineNumber = 0
        // A UTF-8 byte order mark at the start is skipped, as systemd's config_parse() does.
        var start = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        let count = bytes.count
        while start < count || (start == count && inContinuation) {
            let end = Self.index(of: UInt8(ascii: "\n"), in: bytes, from: start)
            lineNumber += 1
            var rawEnd = end
            if rawEnd > start && bytes[rawEnd - 1] == UInt8(ascii: "\r") { rawEnd -= 1 }
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<rawEnd])
            let atEnd = end >= count
            start = end + 1
            if Self.index(of: 0, in: raw, from: 0) < raw.count {
                diagnostics.append(Diagnostic(
                    .error, at: location(lineNumber),
                    "line contains a NUL byte; unit files are text (systemd.syntax(7))"))
                continuation = []
                inContinuation = false
                if atEnd { break }
                continue
            }
            let trimmedStart = raw.firstIndex { !Self.isWhitespace($0) } ?? raw.endIndex
            if trimmedStart < raw.endIndex,
               raw[trimmedStart] == UInt8(ascii: "#") || raw[trimmedStart] == UInt8(ascii: ";") {
                if atEnd && inContinuation { finishJoinedLine(continuation, line: continuationLine, section: &section) }
                if atEnd { break }
                continue
            }
            if (inContinuation ? continuation.count : 0) + raw.count > Self.maximumLineLength {
                diagnostics.append(Diagnostic(
                    .error, at: location(inContinuation ? continuationLine : lineNumber),
                    "line too long (more than \(Self.maximumLineLength) bytes); the file is not loaded, as in systemd"))
                assignments.removeAll()
                return
            }
            let continues = Self.endsWithUnescapedBackslash(raw)
            if !inContinuation && !continues {
                finishLogicalLine(raw, line: lineNumber, section: &section)
                if atEnd { break }
                continue
            }
            if !inContinuation { continuationLine = lineNumber; continuation.removeAll(keepingCapacity: true) }
            continuation.append(contentsOf: raw)
            if continues {
                continuation[continuation.count - 1] = UInt8(ascii: " ")
                inContinuation = true
                if atEnd { finishJoinedLine(continuation, line: continuationLine, section: &section); break }
                continue
            }
            inContinuation = false
            finishJoinedLine(continuation, line: continuationLine, section: &section)
            if atEnd { break }
        }
    }

    private mutating func finishJoinedLine(_ line: [UInt8], line number: Int, section: inout String?) {
        line.withUnsafeBufferPointer { finishLogicalLine($0, line: number, section: &section) }
    }

    private mutating func finishLogicalLine(_ line: UnsafeBufferPointer<UInt8>, line number: Int, section: inout String?) {
        guard let first = line.firstIndex(where: { !Self.isWhitespace($0) }) else { return }
        let last = line.lastIndex(where: { !Self.isWhitespace($0) })!
        let text = line[first...last]
        // The common line, an assignment inside a section: key and value cut as bytes and each
        // checked as UTF-8 (`=` and whitespace are ASCII, so no character spans the cut); a
        // line that is anything else, or not UTF-8, takes the path below and its diagnostics.
        if text.first != UInt8(ascii: "["), let currentSection = section, let equals = text.firstIndex(of: UInt8(ascii: "=")),
           let key = Self.utf8String(Self.trimmed(text[..<equals])), !key.isEmpty,
           let value = Self.utf8String(Self.trimmed(text[(equals + 1)...])) {
            assignments.append(Assignment(section: currentSection, key: key, value: value, location: location(number)))
            return
        }
        guard let string = String(validating: text, as: UTF8.self) else {
            diagnostics.append(Diagnostic(
                .error, at: location(number), "line is not valid UTF-8 (systemd.syntax(7) requires UTF-8)"))
            return
        }
        if text.first == UInt8(ascii: "[") {
            guard text.count >= 2, text.last == UInt8(ascii: "]") else {
                diagnostics.append(Diagnostic(
                    .error, at: location(number), "invalid section header '\(string)': expected '[Name]'"))
                section = nil
                return
            }
            let name = String(string.dropFirst().dropLast())
            section = name
            sections.append((name, number))
            return
        }
        guard let currentSection = section else {
            diagnostics.append(Diagnostic(
                .warning, at: location(number), "assignment outside of any section, ignoring: \(string.prefix(80))"))
            return
        }
        guard let equals = string.utf8.firstIndex(of: UInt8(ascii: "=")) else {
            diagnostics.append(Diagnostic(
                .warning, at: location(number), "missing '=', ignoring line: \(string.prefix(80))"))
            return
        }
        let key = String(string[..<equals]).trimmingWhitespace()
        let value = String(string[string.index(after: equals)...]).trimmingWhitespace()
        guard !key.isEmpty else {
            diagnostics.append(Diagnostic(
                .warning, at: location(number), "assignment without a key name, ignoring line"))
            return
        }
        assignments.append(Assignment(section: currentSection, key: key, value: value, location: location(number)))
    }

    private func location(_ line: Int) -> SourceLocation { SourceLocation(file: file, line: line) }

    /// The first `byte` at or after `start`, or the end (memchr(3)).
    static func index(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < bytes.count, let base = bytes.baseAddress else { return bytes.count }
        guard let found = memchr(base + start, Int32(byte), bytes.count - start) else { return bytes.count }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// The bytes as a string, nil when they are not UTF-8. ASCII, nearly every line, is checked
    /// here and decoded without the standard library's generic validation (about 1,000
    /// instructions a call, two calls a line).
    static func utf8String(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        let bytes = UnsafeBufferPointer(rebasing: bytes)
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }) else { return bytes[bytes.endIndex...] }
        return bytes[first...bytes.lastIndex(where: { !isWhitespace($0) })!]
    }

    /// systemd's `WHITESPACE`: space, tab, newline, carriage return.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// A line continues when it ends in a backslash that is not itself escaped (`\\` at the end
    /// is a literal backslash). Trailing whitespace after the backslash ends the continuation, as
    /// in systemd, except a carriage return from CRLF files. A backslash escapes the byte after it,
    /// so whatever precedes the final run of backslashes leaves none pending, and the run
    /// continues the line when its length is odd.
    static func endsWithUnescapedBackslash(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var run = 0
        var index = line.count
        while index > 0 && line[index - 1] == UInt8(ascii: "\\") { run += 1; index -= 1 }
        return run % 2 == 1
    }
}

extension String {
    /// The string without leading and trailing systemd whitespace (space, tab, CR, LF).
    func trimmingWhitespace() -> String {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !UnitFileLexer.isWhitespace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !UnitFileLexer.isWhitespace($0) })!
        if first == bytes.startIndex && last == bytes.index(before: bytes.endIndex) { return self }
        return String(self[first...last])
    }
}
