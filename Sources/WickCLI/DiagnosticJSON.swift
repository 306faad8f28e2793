import WickControl
import WickUnits

/// One diagnostic as a JSON object on one line:
/// `{"file":…,"line":…,"severity":…,"unit":…,"directive":…,"message":…}` (`unit` and
/// `directive` are `null` when unknown).
enum DiagnosticJSON {
    static func encode(_ diagnostic: Diagnostic) -> String {
        JSONValue.object([
            ("file", .string(diagnostic.location.file)),
            ("line", .number(Double(diagnostic.location.line))),
            ("severity", .string(diagnostic.severity.rawValue)),
            ("unit", diagnostic.unit.map { .string($0) } ?? .null),
            ("directive", diagnostic.directive.map { .string($0) } ?? .null),
            ("message", .string(diagnostic.message)),
        ]).serialized
    }
}
