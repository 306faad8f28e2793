import Foundation
import Testing
import WickSystem

/// Condition path checks against the real file system.
@Suite struct PathCheckTests {
    @Test func checksOnRealFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wick-path-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty").path
        let full = directory.appendingPathComponent("full.sh").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        _ = FileManager.default.createFile(atPath: full, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("link").path, withDestinationPath: full)
        #expect(PathCheck.holds("PathExists", empty))
        #expect(!PathCheck.holds("PathExists", directory.appendingPathComponent("nope").path))
        #expect(PathCheck.holds("PathExistsGlob", directory.path + "/*.sh"))
        #expect(!PathCheck.holds("PathExistsGlob", directory.path + "/*.txt"))
        #expect(PathCheck.holds("PathIsDirectory", directory.path) && !PathCheck.holds("PathIsDirectory", empty))
        #expect(PathCheck.holds("PathIsSymbolicLink", directory.appendingPathComponent("link").path))
        #expect(PathCheck.holds("DirectoryNotEmpty", directory.path))
        #expect(PathCheck.holds("FileNotEmpty", full) && !PathCheck.holds("FileNotEmpty", empty))
        #expect(PathCheck.holds("FileIsExecutable", full) && !PathCheck.holds("FileIsExecutable", empty))
        #expect(PathCheck.holds("PathIsMountPoint", "/proc") && !PathCheck.holds("PathIsMountPoint", directory.path))
        #expect(PathCheck.holds("PathIsReadWrite", directory.path))
    }
}
