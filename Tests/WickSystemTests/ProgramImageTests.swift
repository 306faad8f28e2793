import Foundation
import Testing
import WickSystem

/// The daemon drops the page-table entries of its read-only segments after start-up: they leave
/// the resident set and fault back in when used.
@Suite(.serialized) struct ProgramImageTests {
    /// The resident kB of the main executable's non-writable mappings (/proc/self/smaps).
    static func residentReadOnlyKB() throws -> Int {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let smaps = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        var total = 0, counting = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), fields.count >= 2, fields[1].count == 4 {
                counting = fields.count >= 6 && String(fields[5]) == executable && !fields[1].contains("w")
            } else if counting, fields.first == "Rss:", fields.count >= 2 {
                total += Int(fields[1]) ?? 0
            }
        }
        return total
    }

    @Test func theReadOnlySegmentsLeaveTheResidentSetAndTheCodeStillRuns() throws {
        let before = try Self.residentReadOnlyKB()
        #expect(before > 0, "this test runner's code is resident")
        ProgramImage.releaseStartupPages()
        let after = try Self.residentReadOnlyKB()
        // The pages this test touches again (smaps reading, the runtime) come back: far fewer.
        #expect(after < before / 2, "before \(before) kB, after \(after) kB")
        // Code and constants fault back in from the page cache.
        #expect(String(repeating: "a", count: 3).uppercased() == "AAA")
        #expect(try Self.residentReadOnlyKB() > 0)
    }
}
