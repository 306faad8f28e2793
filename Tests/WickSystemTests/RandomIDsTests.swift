import Testing
import WickSystem

/// `INVOCATION_ID`s from the batched random bytes: each a v4 UUID in sd-id128's form, none
/// repeated across several refills of the batch.
@Suite struct RandomIDsTests {
    @Test func idsAreDistinctVersion4AcrossRefills() {
        var source = RandomIDs()
        let ids = (0..<200).map { _ in source.id128() }
        #expect(Set(ids).count == ids.count, "a repeated id: the batch's bytes were used twice")
        for id in ids {
            let digits = Array(id.utf8)
            #expect(digits.count == 32 && digits.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }, "\(id)")
            #expect(digits.count == 32 && digits[12] == UInt8(ascii: "4") && "89ab".utf8.contains(digits[16]), "version 4, variant 10xx: \(id)")
        }
        // The 64 bits of each half that are not the version or variant vary (not a zeroed batch).
        #expect(Set(ids.map { $0.prefix(12) }).count > 190)
    }
}
