/// One entry of `IPAddressAllow=`/`IPAddressDeny=` (systemd.resource-control(5)): an IPv4 or
/// IPv6 address with a prefix length, host bits cleared.
public struct IPAddressPrefix: Hashable, Sendable, CustomStringConvertible {
    /// 4 or 16 bytes.
    public var bytes: [UInt8]
    public var length: Int

    public init(bytes: [UInt8], length: Int) {
        let kept = max(0, min(length, bytes.count * 8))
        self.length = kept
        self.bytes = bytes.enumerated().map { index, byte in
            let bits = kept - index * 8
            return bits >= 8 ? byte : bits <= 0 ? 0 : byte & ~UInt8(0xff >> bits)
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// Whether `address` (4 or 16 bytes) lies in the prefix.
    public func contains(_ address: [UInt8]) -> Bool {
        guard address.count == bytes.count else { return false }
        return IPAddressPrefix(bytes: address, length: length).bytes == bytes
    }

    /// The symbolic names systemd accepts, as the prefixes they stand for.
    public static let named: [String: [IPAddressPrefix]] = [
        "any": [IPAddressPrefix(bytes: [0, 0, 0, 0], length: 0), IPAddressPrefix(bytes: Array(repeating: 0, count: 16), length: 0)],
        "localhost": [IPAddressPrefix(bytes: [127, 0, 0, 0], length: 8), IPAddressPrefix(bytes: Array(repeating: 0, count: 15) + [1], length: 128)],
        "link-local": [IPAddressPrefix(bytes: [169, 254, 0, 0], length: 16), IPAddressPrefix(bytes: [0xfe, 0x80] + Array(repeating: 0, count: 14), length: 64)],
        "multicast": [IPAddressPrefix(bytes: [224, 0, 0, 0], length: 4), IPAddressPrefix(bytes: [0xff] + Array(repeating: 0, count: 15), length: 8)],
    ]

    /// Space-separated entries: `any`, `localhost`, `link-local`, `multicast`, an address, or
    /// `address/length` (systemd's `config_parse_in_addr_prefixes()`).
    public static func parseList(_ value: String) throws(ValueError) -> [IPAddressPrefix] {
        var prefixes: [IPAddressPrefix] = []
        for word in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            if let named = named[String(word)] {
                prefixes += named
                continue
            }
            let parts = word.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bytes = IPAddress.parseIPv4(parts[0]) ?? IPAddress.parseIPv6(parts[0]) else {
                throw .expected("IP addresses or prefixes (192.0.2.0/24, ::1, any, localhost, link-local, multicast)", got: String(word))
            }
            var length = bytes.count * 8
            if parts.count == 2 {
                guard let given = Int(parts[1]), given >= 0, given <= bytes.count * 8 else {
                    throw .expected("a prefix length from 0 to \(bytes.count * 8)", got: String(word))
                }
                length = given
            }
            prefixes.append(IPAddressPrefix(bytes: bytes, length: length))
        }
        return prefixes
    }

    /// systemd's `IPAddressDeny=` format: `127.0.0.0/8`, `::1/128`.
    public var description: String {
        (isIPv4 ? IPAddress.formatIPv4(bytes) : IPAddress.formatIPv6(bytes)) + "/\(length)"
    }
}
