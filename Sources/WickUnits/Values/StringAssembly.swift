/// UTF-8 written straight into the storage of a new string (`String(assembling:_:)`): the names
/// and addresses made for each accepted connection (its addresses, its instance and unit name)
/// without the arrays, appends and copies that cost some 10,000 instructions a connection
/// (docs/performance.md, eleventh session). Writes past the capacity are dropped, never a trap.
public struct StringAssembly {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    public private(set) var count = 0

    fileprivate init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    public mutating func append(byte: UInt8) {
        guard count < buffer.count else { return }
        buffer[count] = byte
        count += 1
    }

    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            let length = min(bytes.count, buffer.count - count)
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
