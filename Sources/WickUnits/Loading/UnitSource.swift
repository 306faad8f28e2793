/// What the loader needs from a file system; `FileSystemUnitSource` reads the real one, tests use
/// an in-memory dictionary.
public protocol UnitSource {
    /// The entry names of a directory, or `nil` when it does not exist or is not a directory.
    func entries(of directory: String) -> [String]?
    func kind(of path: String) -> UnitSourceEntryKind
    func contents(of path: String) throws(ValueError) -> [UInt8]
}

public enum UnitSourceEntryKind: Equatable, Sendable {
    case missing
    case regular(size: Int)
    case directory
    /// A symbolic link and what it points to.
    case symlink(target: String)
    case other
}
