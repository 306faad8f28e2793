/// systemd's `extract_first_word()` with `EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE | EXTRACT_CUNESCAPE_RELAX`,
/// the splitter of command lines (systemd.service(5) "Command lines"):
/// words are separated by whitespace; double and single quotes may appear anywhere in a word and
/// group whitespace; C escapes (`\n`, `\t`, `\\`, `\"`, `\'`, `\s`, `\xNN`, `\NNN`, `\uNNNN`,
/// `\UNNNNNNNN`) are decoded inside and outside quotes; an unknown escape is kept as written
/// (so `\;` stays `\;` for the caller, and `\d` in a regex survives).
public enum WordSplitter {
    /// A word as found, and whether it was written as a bare `;` separator.
    public struct Word: Equatable, Sendable {
        public var text: String
        /// True when any part of the word was quoted or escaped (a quoted `";"` is not a separator).
        public var wasQuoted: Bool
    }

    public static func split(_ input: String) throws(ValueError) -> [Word] {
        var words: [Word] = []
        var scalars = Array(input.unicodeScalars)[...]
        while true {
            while let first = scalars.first, isSeparator(first) { scalars = scalars.dropFirst() }
            if scalars.isEmpty { return words }
            var word = String.UnicodeScalarView()
            var quoted = false
            var quote: Unicode.Scalar? = nil
            while let scalar = scalars.first {
                scalars = scalars.dropFirst()
                if scalar == "\\" {
                    quoted = true
                    guard !scalars.isEmpty else {
                        throw ValueError("trailing backslash at the end of '\(input.prefix(80))'")
                    }
                    word.append(contentsOf: try unescapeOne(&scalars))
                } else if let open = quote {
                    if scalar == open { quote = nil } else { word.append(scalar) }
                } else if scalar == "\"" || scalar == "'" {
                    quote = scalar
                    quoted = true
                } else if isSeparator(scalar) {
                    break
                } else {
                    word.append(scalar)
                }
            }
            if let open = quote {
                throw ValueError("unbalanced quoting: missing closing \(open) in '\(input.prefix(80))'")
            }
            words.append(Word(text: String(word), wasQuoted: quoted))
        }
    }

    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    /// Decodes every C escape of `text` (systemd's `cunescape()`), for values that are not
    /// split into words (`SetCredential=`, `StandardInputText=`).
    static func unescape(_ text: Substring) throws(ValueError) -> String {
        var scalars = ArraySlice(Array(text.unicodeScalars))
        var decoded = String.UnicodeScalarView()
        while let scalar = scalars.popFirst() {
            if scalar == "\\", !scalars.isEmpty {
                decoded.append(contentsOf: try unescapeOne(&scalars))
            } else {
                decoded.append(scalar)
            }
        }
        return String(decoded)
    }

    /// Decodes one escape after a backslash (systemd's `cunescape_one()`); unknown escapes are
    /// kept with their backslash (`EXTRACT_CUNESCAPE_RELAX`).
    static func unescapeOne(_ scalars: inout ArraySlice<Unicode.Scalar>) throws(ValueError) -> [Unicode.Scalar] {
        let c = scalars.removeFirst()
        switch c {
        case "a": return ["\u{07}"]
        case "b": return ["\u{08}"]
        case "f": return ["\u{0C}"]
        case "n": return ["\n"]
        case "r": return ["\r"]
        case "t": return ["\t"]
        case "v": return ["\u{0B}"]
        case "s": return [" "]
        case "\\", "\"", "'": return [c]
        case "x": return try numeric(&scalars, digits: 2, radix: 16, escape: "\\x", original: c)
        case "u": return try numeric(&scalars, digits: 4, radix: 16, escape: "\\u", original: c)
        case "U": return try numeric(&scalars, digits: 8, radix: 16, escape: "\\U", original: c)
        case "0"..."3":
            scalars = [c] + scalars
            return try numeric(&scalars, digits: 3, radix: 8, escape: "\\", original: nil)
        default: return ["\\", c]
        }
    }

    private static func numeric(
        _ scalars: inout ArraySlice<Unicode.Scalar>, digits: Int, radix: UInt32, escape: String,
        original: Unicode.Scalar?
    ) throws(ValueError) -> [Unicode.Scalar] {
        let text = String(String.UnicodeScalarView(scalars.prefix(digits)))
        guard text.unicodeScalars.count == digits, let value = UInt32(text, radix: Int(radix)) else {
            throw ValueError("invalid escape '\(escape)\(text)': expected \(digits) \(radix == 16 ? "hex" : "octal") digits")
        }
        guard value != 0 else { throw ValueError("escape '\(escape)\(text)' would insert a NUL byte") }
        guard let scalar = Unicode.Scalar(value) else {
            throw ValueError("escape '\(escape)\(text)' is not a valid Unicode code point")
        }
        scalars = scalars.dropFirst(digits)
        return [scalar]
    }
}
