/// The exact value of `0.DIGITS × multiplier`, rounded down, for fractional sizes and time spans
/// (`1.5K` is 1536, `1.5s` is 1,500,000 µs). At most 18 digits are significant.
enum DecimalFraction {
    static func scaled(_ digits: Substring, by multiplier: UInt64) -> UInt64 {
        let significant = digits.prefix(18)
        guard !significant.isEmpty, let numerator = UInt64(significant) else { return 0 }
        var denominator: UInt64 = 1
        for _ in significant { denominator *= 10 }
        let product = numerator.multipliedFullWidth(by: multiplier)
        return denominator.dividingFullWidth(product).quotient
    }
}
