/// A Linux signal number, parsed like systemd's `signal_from_string()`: `SIGTERM`, `TERM`, a
/// number, or `RTMIN+n` / `RTMAX-n`.
public struct Signal: Hashable, Sendable, CustomStringConvertible {
    public var number: Int32

    public init(_ number: Int32) { self.number = number }

    public static let hangup = Signal(1), interrupt = Signal(2), quit = Signal(3), kill = Signal(9)
    public static let pipe = Signal(13), terminate = Signal(15), continueSignal = Signal(18)

    /// Linux (x86_64 and arm64) signal numbers, without the `SIG` prefix.
    static let names: [(String, Int32)] = [
        ("HUP", 1), ("INT", 2), ("QUIT", 3), ("ILL", 4), ("TRAP", 5), ("ABRT", 6), ("IOT", 6),
        ("BUS", 7), ("FPE", 8), ("KILL", 9), ("USR1", 10), ("SEGV", 11), ("USR2", 12), ("PIPE", 13),
        ("ALRM", 14), ("TERM", 15), ("STKFLT", 16), ("CHLD", 17), ("CONT", 18), ("STOP", 19),
        ("TSTP", 20), ("TTIN", 21), ("TTOU", 22), ("URG", 23), ("XCPU", 24), ("XFSZ", 25),
        ("VTALRM", 26), ("PROF", 27), ("WINCH", 28), ("IO", 29), ("POLL", 29), ("PWR", 30), ("SYS", 31),
    ]
    static let realtimeMinimum: Int32 = 34
    public static let realtimeMaximum: Int32 = 64

    public static func parse(_ value: String) throws(ValueError) -> Signal {
        let expected = "a signal name or number such as SIGTERM, TERM, 15 or RTMIN+1"
        if let number = Int32(value) {
            guard number > 0, number <= realtimeMaximum else { throw .expected(expected, got: value) }
            return Signal(number)
        }
        let name = value.hasPrefix("SIG") ? String(value.dropFirst(3)) : value
        if let entry = names.first(where: { $0.0 == name }) { return Signal(entry.1) }
        if name == "RTMIN" { return Signal(realtimeMinimum) }
        if name == "RTMAX" { return Signal(realtimeMaximum) }
        if name.hasPrefix("RTMIN+"), let offset = Int32(name.dropFirst(6)), offset >= 0,
           realtimeMinimum + offset <= realtimeMaximum {
            return Signal(realtimeMinimum + offset)
        }
        if name.hasPrefix("RTMAX-"), let offset = Int32(name.dropFirst(6)), offset >= 0,
           realtimeMaximum - offset >= realtimeMinimum {
            return Signal(realtimeMaximum - offset)
        }
        throw .expected(expected, got: value)
    }

    /// `SIGTERM`, or `SIGRTMIN+n` for real-time signals, or the number.
    public var description: String {
        if let entry = Self.names.first(where: { $0.1 == number }) { return "SIG" + entry.0 }
        if number >= Self.realtimeMinimum && number <= Self.realtimeMaximum {
            return number == Self.realtimeMinimum ? "SIGRTMIN" : "SIGRTMIN+\(number - Self.realtimeMinimum)"
        }
        return String(number)
    }
}
