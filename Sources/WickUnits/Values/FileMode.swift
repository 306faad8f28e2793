/// An octal access mode as in `SocketMode=0666` or `UMask=0022` (systemd's `parse_mode()`):
/// octal digits only, at most `07777`.
public enum FileMode {
    public static func parse(_ value: String) throws(ValueError) -> UInt32 {
        guard !value.isEmpty, value.count <= 5, value.allSatisfy({ ("0"..."7").contains($0) }),
              let mode = UInt32(value, radix: 8), mode <= 0o7777 else {
            throw .expected("an octal mode such as 0644 (at most 07777)", got: value)
        }
        return mode
    }
}
