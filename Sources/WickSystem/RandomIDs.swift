import CWick
import Glibc

/// Random 128-bit ids as systemd's sd_id128_randomize() makes them (a v4 UUID: version nibble
/// 4, variant 10xx), written as 32 lowercase hex digits (`INVOCATION_ID`, sd-id128(3)). The
/// kernel's random bytes are read 32 ids at a time: one getrandom(2) serves 32 starts, so the
/// call is off the path between a connection's accept and its service's clone
/// (docs/performance.md, thirteenth session). Each id takes 16 bytes of its own.
public struct RandomIDs {
    private static let batch = 32
    private var bytes = [UInt8](repeating: 0, count: RandomIDs.batch * 16)
    /// The first unused id's bytes; `bytes.count` when none are left.
    private var next: Int

    public init() { next = bytes.count }

    public mutating func id128() -> String {
        if next == bytes.count { refill() }
        var (high, low) = bytes.withUnsafeBytes { raw in
            (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: next, as: UInt64.self)),
             UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: next + 8, as: UInt64.self)))
        }
        next += 16
        high = high & ~(0xf << 12) | 0x4 << 12      // byte 6: version 4
        low = low & ~(0xc << 60) | 0x8 << 60        // byte 8: variant 10xx (RFC 4122)
        return String(unsafeUninitializedCapacity: 32) { buffer in
            func hex(_ value: UInt64, at offset: Int) {
                var rest = value
                for position in stride(from: offset + 15, through: offset, by: -1) {
                    let digit = UInt8(truncatingIfNeeded: rest & 0xf)
                    buffer[position] = digit < 10 ? 0x30 + digit : 0x57 + digit
                    rest >>= 4
                }
            }
            hex(high, at: 0)
            hex(low, at: 16)
            return 32
        }
    }

    /// A short or failed read (no getrandom(2), EINTR) takes the rest from Swift's system
    /// generator, which reads the same kernel source.
    private mutating func refill() {
        let count = bytes.count
        let filled = bytes.withUnsafeMutableBytes { getrandom($0.baseAddress, count, 0) }
        var generator = SystemRandomNumberGenerator()
        for index in max(filled, 0)..<count { bytes[index] = generator.next() }
        next = 0
    }
}
