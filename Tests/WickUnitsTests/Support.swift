@testable import WickUnits

/// Builds a unit from text, as if loaded from `/units/NAME`.
func buildUnit(_ name: String, _ text: String, dropIns: [String] = [], host: HostFacts = HostFacts()) -> LoadedUnit {
    let unitName = try! UnitName(name)
    return UnitBuilder.build(
        name: unitName, fragment: UnitSourceFile(path: "/units/\(name)", text: text),
        dropIns: dropIns.enumerated().map { UnitSourceFile(path: "/units/\(name).d/\($0.offset).conf", text: $0.element) },
        host: host)
}

func messages(_ unit: LoadedUnit, _ severity: Severity) -> [String] {
    unit.diagnostics.filter { $0.severity == severity }.map(\.message)
}

/// An in-memory file system for loader tests: paths to contents, and symlinks.
struct MemoryUnitSource: UnitSource {
    var files: [String: String] = [:]
    var symlinks: [String: String] = [:]

    func entries(of directory: String) -> [String]? {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let all = Array(files.keys) + Array(symlinks.keys)
        let names = Set(all.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count).split(separator: "/").first!) })
        return names.isEmpty && kind(of: directory) != .directory ? nil : names.sorted()
    }

    func kind(of path: String) -> UnitSourceEntryKind {
        if let target = symlinks[path] { return .symlink(target: target) }
        if let text = files[path] { return .regular(size: text.utf8.count) }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        if (Array(files.keys) + Array(symlinks.keys)).contains(where: { $0.hasPrefix(prefix) }) { return .directory }
        return .missing
    }

    func contents(of path: String) throws(ValueError) -> [UInt8] {
        guard let text = files[path] else { throw ValueError("cannot open: No such file or directory") }
        return Array(text.utf8)
    }
}
