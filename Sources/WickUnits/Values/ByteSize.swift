/// A size as systemd's `parse_size()` reads it with base 1024: a number with an optional suffix
/// `B`, `K`, `M`, `G`, `T`, `P`, `E` (powers of 1024), fractions allowed (`1.5G`).
public enum ByteSize {
    static let suffixes: [Character: UInt64] = [
        "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50, "E": 1 << 60,
    ]

    public static func parse(_ value: String) throws(ValueError) -> UInt64 {
        let expected = "a size such as '4096', '64K', '8M' or '1.5G' (powers of 1024)"
        var text = Substring(value.trimmingWhitespace())
        var multiplier: UInt64 = 1
        if let last = text.last, let size = suffixes[last] {
            multiplier = size
            text = text.dropLast().drop { $0 == " " }
            text = Substring(String(text).trimmingWhitespace())
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !wholeText.isEmpty, wholeText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let whole = UInt64(wholeText) else { throw .expected(expected, got: value) }
        let (product, overflow) = whole.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw ValueError("size '\(value)' is too large") }
        var result = product
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .expected(expected, got: value)
            }
            let (sum, overflow) = result.addingReportingOverflow(DecimalFraction.scaled(fraction, by: multiplier))
            guard !overflow else { throw ValueError("size '\(value)' is too large") }
            result = sum
        }
        return result
    }
}
