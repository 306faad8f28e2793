/// systemd-escape(1) and its inverse, as in systemd's `unit_name_escape()`,
/// `unit_name_path_escape()`, `unit_name_unescape()` and `unit_name_path_unescape()`.
public enum UnitNameEscaping {
    /// `/` becomes `-`; ASCII letters, digits, `:`, `_` and `.` (except a leading `.`) are kept;
    /// every other byte becomes `\xNN`.
    public static func escape(_ text: String) -> String {
        var output = ""
        for (offset, byte) in text.utf8.enumerated() {
            if byte == UInt8(ascii: "/") {
                output += "-"
            } else if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "\\") || !UnitName.isValidCharacter(byte)
                        || (offset == 0 && byte == UInt8(ascii: ".")) {
                output += hexEscape(byte)
            } else {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return output
    }

    private static func hexEscape(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }

    /// A path as an instance name: slashes collapsed and trimmed, `/` alone is `-`.
    public static func escapePath(_ path: String) throws(ValueError) -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        if components.contains(where: { $0 == ".." || $0 == "." }) {
            throw ValueError("path '\(path)' is not normalized ('.' or '..' components)")
        }
        if components.isEmpty { return "-" }
        return escape(components.joined(separator: "/"))
    }

    /// `-` becomes `/`, `\xNN` becomes the byte.
    public static func unescape(_ text: String) throws(ValueError) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.utf8)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "-") {
                bytes.append(UInt8(ascii: "/"))
                index += 1
            } else if byte == UInt8(ascii: "\\") {
                guard index + 3 < input.count, input[index + 1] == UInt8(ascii: "x"),
                      let value = UInt8(String(decoding: input[(index + 2)...(index + 3)], as: UTF8.self), radix: 16)
                else { throw ValueError("invalid escape in '\(text)': expected \\xNN") }
                bytes.append(value)
                index += 4
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        guard let result = String(validating: bytes, as: UTF8.self) else {
            throw ValueError("'\(text)' unescapes to invalid UTF-8")
        }
        return result
    }

    /// An escaped instance turned back into an absolute path: `-` alone is `/`, otherwise `/` is
    /// prepended.
    public static func unescapePath(_ text: String) throws(ValueError) -> String {
        if text == "-" || text.isEmpty { return "/" }
        let unescaped = try unescape(text)
        return unescaped.hasPrefix("/") ? unescaped : "/" + unescaped
    }
}
