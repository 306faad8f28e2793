import WickUnits

/// One diagnostic as a JSON object on one line:
/// `{"file":…,"line":…,"severity":…,"unit":…,"directive":…,"message":…}` (`unit` and
/// `directive` are `null` when unknown).
enum DiagnosticJSON {
    static func encode(_ diagnostic: Diagnostic) -> String {
        "{\"file\":\(string(diagnostic.location.file)),\"line\":\(diagnostic.location.line),"
            + "\"severity\":\(string(diagnostic.severity.rawValue)),\"unit\":\(optional(diagnostic.unit)),"
            + "\"directive\":\(optional(diagnostic.directive)),\"message\":\(string(diagnostic.message))}"
    }

    static func optional(_ value: String?) -> String { value.map(string) ?? "null" }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    static func string(_ value: String) -> String {
        var output = "\""
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
        return output + "\""
    }
}
