/// Base64 (RFC 4648, `=` padding optional, whitespace ignored), as systemd's `unbase64mem()`.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer: UInt32 = 0, bits = 0, padding = 0
        for scalar in text.unicodeScalars {
            let value: UInt32
            switch scalar {
            case "A"..."Z": value = scalar.value - 65
            case "a"..."z": value = scalar.value - 71
            case "0"..."9": value = scalar.value + 4
            case "+": value = 62
            case "/": value = 63
            case "=": padding += 1; continue
            case " ", "\t", "\n", "\r": continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            buffer = buffer << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return padding <= 2 ? bytes : nil
    }
}
