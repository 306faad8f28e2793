import WickControl

/// systemctl's tables: left-aligned columns separated by one space, the last column unpadded.
enum Table {
    static func render(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map { $0.count }
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        var output = ""
        for row in [header] + rows {
            var line = ""
            for (index, cell) in row.enumerated() {
                line += index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 1)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            output += line + "\n"
        }
        return output
    }
}

extension Table {
    /// systemctl's `--json=`: an array with one object per row, keyed by the column headers made
    /// field names as systemd's format-table.c makes them (lower case, spaces to `_`); a column
    /// without a header (the status circle) is left out. `pretty` puts each row on its own line.
    static func json(_ header: [String], _ rows: [[String]], pretty: Bool) -> String {
        let keys = header.map { String($0.lowercased().map { $0 == " " ? "_" : $0 }) }
        let objects = rows.map { row in
            JSONValue.object(zip(keys, row).filter { !$0.0.isEmpty }.map { ($0.0, .string($0.1)) }).serialized
        }
        guard pretty else { return "[" + objects.joined(separator: ",") + "]\n" }
        return objects.isEmpty ? "[]\n" : "[\n  " + objects.joined(separator: ",\n  ") + "\n]\n"
    }
}
