import Testing
@testable import WickUnits

@Suite struct ListenSpecTests {
    @Test func addressForms() throws {
        #expect(try SocketAddress.parse("80") == .anyPort(80))
        #expect(try SocketAddress.parse("0.0.0.0:80") == .ipv4(bytes: [0, 0, 0, 0], port: 80))
        #expect(try SocketAddress.parse("127.0.0.1:8080").description == "127.0.0.1:8080")
        #expect(try SocketAddress.parse("[::1]:8080") == .ipv6(bytes: Array(repeating: 0, count: 15) + [1], port: 8080))
        #expect(try SocketAddress.parse("[::]:993").description == "[::]:993")
        #expect(try SocketAddress.parse("[2001:db8::1:0:0:1]:53").description == "[2001:db8::1:0:0:1]:53")
        #expect(try SocketAddress.parse("[::ffff:10.0.0.1]:1").description == "[::ffff:a00:1]:1")
        #expect(try SocketAddress.parse("/run/x.sock") == .unixPath("/run/x.sock"))
        #expect(try SocketAddress.parse("@abstract") == .unixAbstract("abstract"))
        #expect(try SocketAddress.parse("80").description == "[::]:80")
    }

    /// Dotted quads and ports written digit by digit (IPAddress.formatIPv4).
    @Test func dottedQuadsAndPortsAreWrittenAsDecimal() {
        #expect(IPAddress.formatIPv4([0, 0, 0, 0]) == "0.0.0.0")
        #expect(IPAddress.formatIPv4([255, 255, 255, 255], port: 65535) == "255.255.255.255:65535")
        #expect(IPAddress.formatIPv4([10, 1, 20, 200], port: 8) == "10.1.20.200:8")
        #expect(IPAddress.formatIPv4([127, 0, 0, 1], port: 0) == "127.0.0.1:0")
        #expect(SocketAddress.ipv4(bytes: [192, 168, 100, 9], port: 10000).description == "192.168.100.9:10000")
        for value: UInt in [0, 7, 9, 10, 99, 100, 101, 1000, 65535, 4_294_967_296, UInt.max] {
            var text: [UInt8] = [UInt8(ascii: "x")]
            IPAddress.appendDecimal(value, to: &text)
            #expect(String(decoding: text, as: UTF8.self) == "x\(value)")
        }
    }

    /// Strings written in place (`String(assembling:)`): decimals of every length, text of any
    /// encoding, and nothing past the capacity (dropped, not a trap).
    @Test func assembledStringsHoldWhatWasWrittenWithinTheirCapacity() {
        for value: UInt in [0, 7, 9, 10, 99, 100, 101, 1000, 65535, 4_294_967_296, UInt.max] {
            #expect(String(assembling: 21) { $0.append(byte: UInt8(ascii: "x")); $0.append(decimal: value) } == "x\(value)")
        }
        let name = String(assembling: 64) { text in
            text.append("échö")
            text.append(byte: UInt8(ascii: "@"))
            text.append(String(repeating: "long-", count: 4))
        }
        #expect(name == "échö@long-long-long-long-")
        #expect(String(assembling: 5) { $0.append("0123456789"); $0.append(decimal: 42); $0.append(byte: 0x41) } == "01234")
        #expect(String(assembling: 4) { $0.append("abé") } == "abé", "a character that fits whole")
        #expect(String(assembling: 3) { $0.append("abé"); $0.append(byte: 0x41) } == "abA", "cut before a character that does not fit")
        #expect(String(assembling: 4) { $0.append(byte: 0xC3); $0.append("x") } == "x", "a byte that is not ASCII is dropped")
        #expect(String(assembling: 3) { $0.append(decimal: 123_456) } == "123")
        #expect(String(assembling: -1) { $0.append("x") } == "")
        let loopback: [UInt8] = [127, 0, 0, 1]
        #expect(loopback.withUnsafeBytes { IPAddress.formatIPv4($0, port: 80) } == "127.0.0.1:80")
        #expect(loopback.withUnsafeBytes { IPAddress.formatIPv4($0) } == "127.0.0.1")
    }

    /// inet_pton()'s dotted quads, parsed byte by byte.
    @Test func dottedQuadsAsInetPton() {
        #expect(IPAddress.parseIPv4("0.0.0.0") == [0, 0, 0, 0] && IPAddress.parseIPv4("255.10.0.9") == [255, 10, 0, 9])
        for bad in ["256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "01.2.3.4", "1.2.3.004", "1.2.3.-4", "1.2.3.4 ", "١.2.3.4", ""] {
            #expect(IPAddress.parseIPv4(Substring(bad)) == nil, "\(bad)")
        }
    }

    /// The one-pass reading of `A.B.C.D:PORT` answers as the general parse does, or leaves the
    /// text to it: every dotted quad and port form around the edges, and mutations of them.
    @Test func theIPv4FastPathAgreesWithTheGeneralParse() throws {
        let octets = ["0", "1", "9", "10", "99", "100", "199", "255", "256", "00", "01", "010", "1000", "", "-1", "a"]
        let ports = ["0", "1", "80", "080", "00080", "65535", "65536", "99999", "123456", "", "+1", "8a", "٨٠"]
        var fast = 0
        for a in octets { for b in ["0", "255", "01"] { for port in ports {
            for text in ["\(a).\(b).0.1:\(port)", "1.2.3.\(a):\(port)", "\(a).\(b).0:\(port)", "\(a).\(b).0.1.2:\(port)",
                         "\(a).\(b)..1:\(port)", "\(a).\(b).0.1:", "\(a).\(b).0.1::\(port)", " \(a).\(b).0.1:\(port)"] {
                let general = try? SocketAddress.parseAnyForm(text)
                if let quick = SocketAddress.parseIPv4Port(text) {
                    fast += 1
                    #expect(quick == general, "\(text)")
                }
                #expect((try? SocketAddress.parse(text)) == general, "\(text)")
            }
        } } }
        #expect(fast > 100, "the fast path read the usual forms")
        #expect(SocketAddress.parseIPv4Port("127.0.0.1:22000") == .ipv4(bytes: [127, 0, 0, 1], port: 22000))
    }

    @Test(arguments: ["vsock:2:1234", "0", "65536", "localhost:80", "1.2.3:80", "01.2.3.4:80", "::1:80", "1.2.3.4:+80", "1.2.3.4:٨٠",
                      "[::1]", "[::1]:", "[zz::1]:80", "[::1%eth0]:80", "abc", "", "@",
                      "/" + String(repeating: "a", count: 107)])
    func rejected(_ text: String) {
        #expect(throws: ValueError.self) { try SocketAddress.parse(text) }
    }

    @Test func vsockSaysWhy() {
        #expect(throws: ValueError("AF_VSOCK addresses ('vsock:2:1234') are not supported by wick")) {
            try SocketAddress.parse("vsock:2:1234")
        }
    }

    @Test func otherEndpointKinds() throws {
        #expect(try ListenSpec.parseNetlink("kobject-uevent 1") == .netlink(family: "kobject-uevent", protocolNumber: 15, group: 1))
        #expect(try ListenSpec.parseNetlink("audit") == .netlink(family: "audit", protocolNumber: 9, group: 0))
        #expect(throws: ValueError.self) { try ListenSpec.parseNetlink("nosuch 1") }
        #expect(try ListenSpec.parseMessageQueue("/q") == .messageQueue(name: "/q"))
        #expect(throws: ValueError.self) { try ListenSpec.parseMessageQueue("/a/b") }
        #expect(try ListenSpec.parseFIFO("/run/initctl") == .fifo(path: "/run/initctl"))
        #expect(throws: ValueError.self) { try ListenSpec.parseFIFO("run/initctl") }
        #expect(throws: ValueError.self) { try ListenSpec.parseSpecial("/dev/../etc/x") }
        #expect(throws: ValueError.self) { try ListenSpec.parseSequentialPacket("127.0.0.1:5") }
        #expect(try ListenSpec.parseSequentialPacket("/run/s").canAccept)
        #expect(try !ListenSpec.parseDatagram("514").canAccept)
    }

    @Test func ipv6TextRoundTrips() {
        for text in ["::", "::1", "1::", "2001:db8::1", "fe80::1:2:3:4", "1:2:3:4:5:6:7:8", "1:0:0:2::3"] {
            let bytes = IPAddress.parseIPv6(Substring(text))
            #expect(bytes != nil, "\(text)")
            if let bytes { #expect(IPAddress.parseIPv6(Substring(IPAddress.formatIPv6(bytes))) == bytes) }
        }
        #expect(IPAddress.formatIPv6(IPAddress.parseIPv6("1:0:0:2:0:0:0:3")!) == "1:0:0:2::3")
        for bad in [":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::g", "1:2:3:4:5:6:7"] {
            #expect(IPAddress.parseIPv6(Substring(bad)) == nil, "\(bad)")
        }
    }
}
