/// systemd.preset(5): `enable PATTERN` / `disable PATTERN` lines in `*.preset` files of
/// /etc/systemd/system-preset, /run/systemd/system-preset, /usr/local/lib/systemd/system-preset,
/// /lib/systemd/system-preset and /usr/lib/systemd/system-preset; files are read in the order of
/// their names (a name in an earlier directory hides the same name in a later one), the first
/// matching line wins, and a unit no line matches is enabled.
public struct PresetRules: Sendable {
    public static let directories = [
        "/etc/systemd/system-preset", "/run/systemd/system-preset", "/usr/local/lib/systemd/system-preset",
        "/lib/systemd/system-preset", "/usr/lib/systemd/system-preset",
    ]

    public struct Rule: Equatable, Sendable {
        public var enable: Bool
        public var pattern: String
    }

    public private(set) var rules: [Rule] = []

    public init(rules: [Rule]) { self.rules = rules }

    /// Reads the preset files below `root`.
    public init(root: String, source: any UnitSource = FileSystemUnitSource()) {
        var files: [String: String] = [:]
        for directory in Self.directories {
            for entry in source.entries(of: root + directory) ?? [] where entry.hasSuffix(".preset") && files[entry] == nil {
                files[entry] = root + directory + "/" + entry
            }
        }
        for name in files.keys.sorted() {
            guard let bytes = try? source.contents(of: files[name]!) else { continue }
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard words.count >= 2, !line.hasPrefix("#"), !line.hasPrefix(";") else { continue }
                if words[0] == "enable" || words[0] == "disable" {
                    rules.append(Rule(enable: words[0] == "enable", pattern: String(words[1])))
                }
            }
        }
    }

    /// Whether `preset` enables `name`: the first matching rule, else enable.
    public func enables(_ name: String) -> Bool {
        rules.first { Glob.matches(Array($0.pattern.utf8), Array(name.utf8)) }?.enable ?? true
    }
}

/// fnmatch(3) without flags, for unit-name patterns (`*`, `?`, `[...]`): presets and
/// systemctl's unit globs.
public enum Glob {
    public static func isPattern(_ text: String) -> Bool { text.contains { "*?[".contains($0) } }

    public static func matches(_ pattern: String, _ text: String) -> Bool { matches(Array(pattern.utf8), Array(text.utf8)) }

    static func matches(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0, t = 0
        var star: Int?, starText = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                starText = t
                p += 1
                continue
            }
            if p < pattern.count, let next = single(pattern, p, text[t]) {
                p = next
                t += 1
                continue
            }
            guard let position = star else { return false }
            p = position + 1
            starText += 1
            t = starText
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// The pattern index after one character when it matches `byte`, nil when not.
    private static func single(_ pattern: [UInt8], _ p: Int, _ byte: UInt8) -> Int? {
        switch pattern[p] {
        case UInt8(ascii: "?"): return p + 1
        case UInt8(ascii: "["):
            var index = p + 1
            var negate = false
            if index < pattern.count, pattern[index] == UInt8(ascii: "!") || pattern[index] == UInt8(ascii: "^") {
                negate = true
                index += 1
            }
            var matched = false
            var first = true
            while index < pattern.count, first || pattern[index] != UInt8(ascii: "]") {
                first = false
                if index + 2 < pattern.count, pattern[index + 1] == UInt8(ascii: "-"), pattern[index + 2] != UInt8(ascii: "]") {
                    if pattern[index] <= byte && byte <= pattern[index + 2] { matched = true }
                    index += 3
                } else {
                    if pattern[index] == byte { matched = true }
                    index += 1
                }
            }
            guard index < pattern.count else { return pattern[p] == byte ? p + 1 : nil }
            return matched != negate ? index + 1 : nil
        default:
            return pattern[p] == byte ? p + 1 : nil
        }
    }
}
