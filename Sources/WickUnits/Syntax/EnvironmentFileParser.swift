/// `EnvironmentFile=` contents (systemd.exec(5)): `NAME=value` lines, `#`/`;` comments, values
/// optionally in double or single quotes, `export ` prefixes tolerated.
public enum EnvironmentFileParser {
    public static func parse(_ bytes: [UInt8]) -> [(String, String)] {
        var result: [(String, String)] = []
        for rawLine in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            var line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.first == "#" || line.first == ";" { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters()
            var value = Substring(line[line.index(after: equals)...].trimmingCharacters())
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            guard !name.isEmpty else { continue }
            result.append((name, String(value)))
        }
        return result
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
