/// systemd's `parse_boolean()` (systemd.syntax(7)): `1 yes y true t on` and `0 no n false f off`,
/// case-insensitive.
public enum Boolean {
    public static func parse(_ value: String) throws(ValueError) -> Bool {
        switch value.lowercased() {
        case "1", "yes", "y", "true", "t", "on": return true
        case "0", "no", "n", "false", "f", "off": return false
        default: throw .expected("a boolean (yes/no, true/false, on/off, 1/0)", got: value)
        }
    }
}
