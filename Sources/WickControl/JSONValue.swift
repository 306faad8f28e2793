/// A JSON value (RFC 8259) with a small parser and a compact serializer, for the control protocol
/// (one object per line) without Foundation in the daemon.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a.elementsEqual(b) { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? { if case .string(let value) = self { return value } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let value) = self { return value } else { return nil } }
    public var numberValue: Double? { if case .number(let value) = self { return value } else { return nil } }
    public var boolValue: Bool? { if case .bool(let value) = self { return value } else { return nil } }

    /// Compact JSON text on one line.
    public var serialized: String {
        var output = ""
        write(into: &output)
        return output
    }

    /// Appends the compact text to `output` (one buffer for the whole value: a `status` of
    /// thousands of units is megabytes).
    public func write(into output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let value):
            if value.rounded() == value && abs(value) < 9e15 { output += String(Int64(value)) } else { output += String(value) }
        case .string(let value): Self.quote(value, into: &output)
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(into: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                Self.quote(member.0, into: &output)
                output += ":"
                member.1.write(into: &output)
            }
            output += "}"
        }
    }

    public static func quote(_ value: String) -> String {
        var output = ""
        quote(value, into: &output)
        return output
    }

    /// A JSON string literal. Most strings need no escape and are copied whole; the others are
    /// escaped scalar by scalar.
    public static func quote(_ value: String, into output: inout String) {
        output += "\""
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            output += value
            output += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    public struct ParseError: Error, Equatable, Sendable {
        public var message: String
        public init(message: String) { self.message = message }
    }

    /// Parses one JSON text; nesting deeper than 64 levels is refused.
    public static func parse(_ text: String) throws(ParseError) -> JSONValue {
        var parser = Parser(scalars: Array(text.unicodeScalars))
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.scalars.count else { throw ParseError(message: "trailing characters after the JSON value") }
        return value
    }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0

        mutating func skipWhitespace() {
            while index < scalars.count, [" ", "\t", "\n", "\r"].contains(scalars[index]) { index += 1 }
        }

        mutating func expect(_ literal: String) throws(ParseError) {
            for scalar in literal.unicodeScalars {
                guard index < scalars.count, scalars[index] == scalar else { throw ParseError(message: "expected '\(literal)'") }
                index += 1
            }
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < 64 else { throw ParseError(message: "nesting too deep") }
            skipWhitespace()
            guard index < scalars.count else { throw ParseError(message: "unexpected end of input") }
            switch scalars[index] {
            case "n": try expect("null"); return .null
            case "t": try expect("true"); return .bool(true)
            case "f": try expect("false"); return .bool(false)
            case "\"": return .string(try string())
            case "[":
                index += 1
                var values: [JSONValue] = []
                skipWhitespace()
                if index < scalars.count, scalars[index] == "]" { index += 1; return .array(values) }
                while true {
                    values.append(try value(depth: depth + 1))
                    skipWhitespace()
                    guard index < scalars.count else { throw ParseError(message: "unterminated array") }
                    if scalars[index] == "]" { index += 1; return .array(values) }
                    try expect(",")
                }
            case "{":
                index += 1
                var members: [(String, JSONValue)] = []
                // A name twice is refused: which of the two a reader takes differs (RFC 8259 4).
                var names = Set<String>()
                skipWhitespace()
                if index < scalars.count, scalars[index] == "}" { index += 1; return .object(members) }
                while true {
                    skipWhitespace()
                    guard index < scalars.count, scalars[index] == "\"" else { throw ParseError(message: "expected a member name") }
                    let key = try string()
                    guard names.insert(key).inserted else { throw ParseError(message: "member \"\(key.prefix(40))\" given twice") }
                    skipWhitespace()
                    try expect(":")
                    members.append((key, try value(depth: depth + 1)))
                    skipWhitespace()
                    guard index < scalars.count else { throw ParseError(message: "unterminated object") }
                    if scalars[index] == "}" { index += 1; return .object(members) }
                    try expect(",")
                }
            default:
                return .number(try number())
            }
        }

        mutating func string() throws(ParseError) -> String {
            index += 1
            var result = String.UnicodeScalarView()
            while index < scalars.count {
                let scalar = scalars[index]
                index += 1
                switch scalar {
                case "\"": return String(result)
                case "\\":
                    guard index < scalars.count else { break }
                    let escape = scalars[index]
                    index += 1
                    switch escape {
                    case "\"", "\\", "/": result.append(escape)
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    case "r": result.append("\r")
                    case "b": result.append("\u{08}")
                    case "f": result.append("\u{0C}")
                    case "u":
                        guard index + 4 <= scalars.count,
                              let code = UInt32(String(String.UnicodeScalarView(scalars[index..<index + 4])), radix: 16) else {
                            throw ParseError(message: "invalid \\u escape")
                        }
                        index += 4
                        result.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    default: throw ParseError(message: "invalid escape")
                    }
                default:
                    guard scalar.value >= 0x20 else { throw ParseError(message: "control character in string") }
                    result.append(scalar)
                }
            }
            throw ParseError(message: "unterminated string")
        }

        mutating func number() throws(ParseError) -> Double {
            let start = index
            while index < scalars.count, "-+.eE0123456789".unicodeScalars.contains(scalars[index]) { index += 1 }
            guard index > start, let value = Double(String(String.UnicodeScalarView(scalars[start..<index]))) else {
                throw ParseError(message: "unexpected character")
            }
            return value
        }
    }
}
