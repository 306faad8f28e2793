/// A validated unit name (systemd.unit(5) "Description", systemd's `unit_name_is_valid()`):
/// `prefix.type`, `prefix@.type` (a template) or `prefix@instance.type` (an instance), at most
/// 255 bytes, made of ASCII letters, digits and `:-_.\`, the first `@` before the instance (which
/// may hold more).
/// A name such as `../x.service` is rejected, so a unit name can never escape a unit directory.
public struct UnitName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The full name, `getty@tty1.service`.
    public let name: String
    /// Before `@` (or before the suffix for plain units): `getty`.
    public let prefix: String
    /// After `@` and before the suffix; `""` for a template, `nil` for a plain unit.
    public let instance: String?
    /// The suffix without the dot: `service`.
    public let type: String

    /// The unit types systemd knows (systemd.unit(5)); wick runs `service` and `socket` units.
    public static let types: Set<String> = [
        "service", "socket", "target", "device", "mount", "automount", "swap", "timer", "path", "slice", "scope",
    ]

    /// systemd's `UNIT_NAME_MAX`.
    public static let maximumLength = 255

    static func isValidCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "\\"):
            return true
        default:
            return false
        }
    }

    /// Parses and validates a unit name; the error says what is wrong with it.
    public init(_ name: String) throws(ValueError) {
        guard !name.isEmpty else { throw ValueError("unit name is empty") }
        guard name.utf8.count <= Self.maximumLength else {
            throw ValueError("unit name is longer than \(Self.maximumLength) bytes")
        }
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")) else {
            throw ValueError("unit name '\(name)' has no type suffix such as .service or .socket")
        }
        let stem = name[..<dot]
        let type = String(name[name.index(after: dot)...])
        guard Self.types.contains(type) else {
            throw ValueError("unit name '\(name.prefix(80))' has no unit type suffix (.service, .socket, .target ...)")
        }
        guard !stem.isEmpty else { throw ValueError("unit name '\(name)' has an empty prefix") }
        // Byte by byte: every valid character is ASCII (no grapheme breaking per name, which
        // made this the largest cost of a new Accept=yes instance, issue 14).
        var at: String.Index? = nil
        var index = stem.utf8.startIndex
        while index < stem.utf8.endIndex {
            let byte = stem.utf8[index]
            if byte == UInt8(ascii: "@") {
                // The first '@' ends the prefix; the instance may hold more (unit_name_is_valid():
                // `OnFailure=handler@%n.service` of an instance, systemd.unit(5)).
                if at == nil { at = index }
            } else if !Self.isValidCharacter(byte) {
                throw ValueError("unit name '\(name.prefix(80))' contains '\(stem[index...].prefix(1))': only letters, digits and ':-_.\\' are allowed (escape others with systemd-escape)")
            }
            stem.utf8.formIndex(after: &index)
        }
        self.name = name
        self.type = type
        if let at {
            prefix = String(stem[..<at])
            instance = String(stem[stem.index(after: at)...])
            guard !prefix.isEmpty else { throw ValueError("unit name '\(name)' has an empty prefix before '@'") }
        } else {
            prefix = String(stem)
            instance = nil
        }
    }

    public var isTemplate: Bool { instance == "" }
    public var isInstance: Bool { (instance ?? "").isEmpty == false }

    /// `getty@.service` for `getty@tty1.service`.
    public var templateName: String? {
        guard instance != nil else { return nil }
        return String(assembling: prefix.utf8.count + 2 + type.utf8.count) { text in
            text.append(prefix)
            text.append(byte: UInt8(ascii: "@"))
            text.append(byte: UInt8(ascii: "."))
            text.append(type)
        }
    }

    /// `getty@tty1.service` from the template `getty@.service`.
    public func instantiated(_ instance: String) throws(ValueError) -> UnitName {
        // The prefix and type are valid already: only the instance is checked (the same rules and
        // messages as `init`, without parsing the whole name again for every connection).
        let length = prefix.utf8.count + 1 + instance.utf8.count + 1 + type.utf8.count
        guard !instance.isEmpty, length <= Self.maximumLength,
              Self.isValidInstance(instance) else {
            return try UnitName("\(prefix)@\(instance).\(type)")
        }
        let name = String(assembling: length) { text in
            text.append(prefix)
            text.append(byte: UInt8(ascii: "@"))
            text.append(instance)
            text.append(byte: UInt8(ascii: "."))
            text.append(type)
        }
        return UnitName(validated: name, prefix: prefix, instance: instance, type: type)
    }

    /// No `@` and only the characters of a unit name, checked over the contiguous bytes where the
    /// string has them (walking the UTF-8 view cost 30 instructions a byte, per connection).
    private static func isValidInstance(_ instance: String) -> Bool {
        func valid(_ byte: UInt8) -> Bool { byte != UInt8(ascii: "@") && isValidCharacter(byte) }
        return instance.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(valid) } ?? instance.utf8.allSatisfy(valid)
    }

    private init(validated name: String, prefix: String, instance: String?, type: String) {
        (self.name, self.prefix, self.instance, self.type) = (name, prefix, instance, type)
    }

    /// The name with the suffix removed: `getty@tty1`.
    public var stem: String {
        String(name.dropLast(type.count + 1))
    }

    public static func < (lhs: UnitName, rhs: UnitName) -> Bool { lhs.name < rhs.name }
    public var description: String { name }
}
