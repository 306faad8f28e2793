import Testing
import WickUnits

@Suite struct StringBytesTests {
    @Test(arguments: ["", "/", "b.service", "a/b", "x@1-127.0.0.1:22-127.0.0.1:4000.service", "é/ü", "ünïcødé", String(repeating: "long", count: 100) + "/"])
    func aByteIsFoundWhereTheUTF8ViewHasIt(_ text: String) {
        for byte in [UInt8(ascii: "/"), UInt8(ascii: "$"), UInt8(ascii: "%"), 0xC3] {
            #expect(text.containsByte(byte) == text.utf8.contains(byte), "\(text) \(byte)")
        }
        #expect(String(text.dropFirst()).containsByte(UInt8(ascii: "/")) == text.dropFirst().utf8.contains(UInt8(ascii: "/")))
    }
}
