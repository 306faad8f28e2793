import Testing
@testable import WickSystem

/// `HostFactsReader.thirdField`: the uid or gid of a passwd/group line, found without splitting
/// the lines that do not match.
@Suite struct HostFactsReaderTests {
    @Test func theThirdFieldIsADecimalUInt32OrNothing() {
        func third(_ line: String) -> UInt32? { HostFactsReader.thirdField(Array(line.utf8)[...]) }
        #expect(third("root:x:0:0:root:/root:/bin/bash") == 0)
        #expect(third("web:x:1000:1000::/srv:/bin/sh") == 1000)
        #expect(third("grp:x:4294967295:") == UInt32.max)
        #expect(third("grp:x:4294967296:") == nil, "above UInt32")
        #expect(third("grp:x:99999999999999999999:") == nil, "far above")
        #expect(third("grp:x::") == nil, "empty")
        #expect(third("grp:x:-1:") == nil, "negative")
        #expect(third("grp:x: 7:") == nil, "not only digits")
        #expect(third("grp:x:7") == 7, "the last field")
        #expect(third("grp:x") == nil, "two fields")
        #expect(third("") == nil)
        let file = Array("a:x:1:1\nb:x:2:2\n".utf8)
        #expect(HostFactsReader.thirdField(file[8..<15]) == 2, "a slice in the middle of a file")
    }
}
