/// UTF-8 written straight into the storage of a new string (`String(assembling:_:)`): the names
/// and addresses made for each accepted connection (its addresses, its instance and unit name)
/// without the arrays, appends and copies that cost some 10,000 instructions a connection
/// (docs/performance.md, eleventh session). Writes past the capacity are dropped, never a trap,
/// and what is written stays valid UTF-8 (it is not repaired).
public struct StringAssembly {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    public private(set) var count = 0

    fileprivate init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    /// One ASCII byte (any other is dropped: the string stays UTF-8 as written).
    public mutating func append(byte: UInt8) {
        guard count < buffer.count, byte < 0x80 else { return }
        buffer[count] = byte
        count += 1
    }

    /// The text, or as much of it as fits, cut at a character's first byte: the string stays
    /// valid UTF-8, so nothing is repaired into more bytes than the capacity.
    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var length = min(bytes.count, buffer.count - count)
            while length > 0, length < bytes.count, bytes[length] & 0xC0 == 0x80 { length -= 1 }
            guard length > 0, let source = bytes.baseAddress, let target = buffer.baseAddress else { return }
            (target + count).update(from: source, count: length)
            count += length
        }
    }

    /// The decimal digits of `value`.
    public mutating func append(decimal value: UInt) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // room for UInt.max's 20 digits
        withUnsafeMutableBytes(of: &digits) { scratch in
            var rest = value, start = scratch.count
            repeat {
                start -= 1
                scratch[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            for index in start..<scratch.count { append(byte: scratch[index]) }
        }
    }
}

extension String {
    /// A string of at most `capacity` UTF-8 bytes, written by `body`.
    public init(assembling capacity: Int, _ body: (inout StringAssembly) -> Void) {
        self.init(unsafeUninitializedCapacity: Swift.max(capacity, 0)) { buffer in
            var assembly = StringAssembly(buffer)
            body(&assembly)
            return assembly.count
        }
    }
}
