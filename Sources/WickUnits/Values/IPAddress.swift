/// Textual IPv4 and IPv6 addresses parsed in pure Swift, with the strictness of `inet_pton()`:
/// dotted quads without leading zeros; RFC 4291 IPv6 text with `::` and an embedded IPv4 tail.
public enum IPAddress {
    /// Byte by byte (a dotted quad is ASCII): four decimal numbers 0-255 without leading zeros.
    public static func parseIPv4(_ text: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        var value = 0, digits = 0, leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, bytes.count < 3 else { return nil }
                bytes.append(UInt8(value))
                (value, digits, leadingZero) = (0, 0, false)
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                guard !leadingZero, digits < 3 else { return nil }
                leadingZero = digits == 0 && byte == UInt8(ascii: "0")
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                guard value <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, bytes.count == 3 else { return nil }
        bytes.append(UInt8(value))
        return bytes
    }

    public static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard !text.isEmpty, text.count <= 45 else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring, allowIPv4Tail: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowIPv4Tail, index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    bytes += v4
                } else {
                    guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                }
            }
            return bytes
        }
        if halves.count == 1 {
            guard let bytes = groups(halves[0], allowIPv4Tail: true), bytes.count == 16 else { return nil }
            return bytes
        }
        guard let head = groups(halves[0], allowIPv4Tail: false),
              let tail = groups(halves[1], allowIPv4Tail: true), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// RFC 5952 text: lowercase, longest run of two or more zero groups as `::`.
    public static func formatIPv6(_ bytes: [UInt8]) -> String {
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8 && groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength && index - runStart >= 2 { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    public static func formatIPv4(_ bytes: [UInt8]) -> String {
        formatIPv4(bytes, port: nil)
    }

    /// `a.b.c.d`, or `a.b.c.d:port`, written into the string's storage (four `String`s joined
    /// and an interpolation cost 3,000 instructions an address).
    public static func formatIPv4(_ bytes: [UInt8], port: UInt16?) -> String {
        bytes.withUnsafeBytes { formatIPv4($0, port: port) }
    }

    /// The same from the address's four bytes in memory (a `sockaddr_in`'s `sin_addr`; bytes
    /// after the fourth are not read).
    public static func formatIPv4(_ bytes: UnsafeRawBufferPointer, port: UInt16? = nil) -> String {
        String(assembling: 21) { appendIPv4(bytes, port: port, to: &$0) }
    }

    /// `a.b.c.d`, or `a.b.c.d:port`, appended to `text`.
    public static func appendIPv4(_ bytes: UnsafeRawBufferPointer, port: UInt16?, to text: inout StringAssembly) {
        for (index, byte) in bytes.prefix(4).enumerated() {
            if index > 0 { text.append(byte: UInt8(ascii: ".")) }
            text.append(decimal: UInt(byte))
        }
        if let port {
            text.append(byte: UInt8(ascii: ":"))
            text.append(decimal: UInt(port))
        }
    }

    /// `a.b.c.d`, or `a.b.c.d:port`, appended to `text`.
    public static func appendIPv4(_ bytes: [UInt8], port: UInt16?, to text: inout [UInt8]) {
        for (index, byte) in bytes.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ".")) }
            appendDecimal(UInt(byte), to: &text)
        }
        if let port {
            text.append(UInt8(ascii: ":"))
            appendDecimal(UInt(port), to: &text)
        }
    }

    /// The decimal digits of `value`.
    public static func appendDecimal(_ value: UInt, to text: inout [UInt8]) {
        if value < 10 {
            text.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var divisor: UInt = 10
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        repeat {
            text.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        } while divisor > 0
    }
}

extension Substring {
    /// Splits on a multi-character separator (no Foundation).
    func components(separatedBy separator: String) -> [Substring] {
        var parts: [Substring] = []
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            parts.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        parts.append(rest)
        return parts
    }
}
