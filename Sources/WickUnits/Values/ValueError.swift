/// Why a directive's value could not be parsed: the message says what was expected. The caller
/// adds the file, line and directive.
public struct ValueError: Error, Equatable, Sendable {
    public var message: String

    public init(_ message: String) { self.message = message }

    static func expected(_ what: String, got value: String) -> ValueError {
        ValueError("expected \(what), got '\(value.count > 60 ? value.prefix(60) + "…" : Substring(value))'")
    }
}
