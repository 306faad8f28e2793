import Glibc
import WickControl
import WickSystem
import WickUnits

/// wick invoked as `systemd-analyze`: `verify` (wick verify), and `critical-chain` and `blame`
/// from the unit timestamps the daemon recorded (analyze-critical-chain.c, analyze-blame.c),
/// measured from the daemon's start as systemd measures from userspace's.
enum Analyze {
    static func main(_ arguments: [String]) -> Never {
        var rest = arguments.filter { !["--no-pager", "--system", "--man=no", "--generators=no"].contains($0) }
        let verb = rest.isEmpty ? "time" : rest.removeFirst()
        switch verb {
        case "verify":
            Wick.main(["verify"] + rest)
            exit(0)
        case "critical-chain", "blame", "time":
            do throws(Systemctl.Failure) {
                let times = try UnitTimes.read()
                switch verb {
                case "critical-chain": print(criticalChain(rest.map(Systemctl.mangle), times), terminator: "")
                case "blame": print(blame(times), terminator: "")
                default: print("Startup finished in \(format(times.values.map { $0.activated }.max().map { $0 - times.origin } ?? 0)) (userspace)")
                }
            } catch {
                FileHandleOutput.error(error.message)
                exit(error.status)
            }
            exit(0)
        default:
            FileHandleOutput.error("systemd-analyze \(verb): not supported by wick (verify, critical-chain, blame, time)")
            exit(Systemctl.notImplemented)
        }
    }

    /// One unit's activation: when it left inactive and entered active (CLOCK_MONOTONIC µs),
    /// and what it is ordered after.
    struct UnitTime {
        var activating: UInt64
        var activated: UInt64
        var after: [String]
        /// analyze's `time`: how long the activation took, when both ends are known.
        var duration: UInt64 { activated >= activating && activating > 0 ? activated - activating : 0 }
    }

    struct UnitTimes {
        var origin: UInt64
        var units: [String: UnitTime]
        var values: Dictionary<String, UnitTime>.Values { units.values }

        static func read() throws(Systemctl.Failure) -> UnitTimes {
            let systemctl = Systemctl(options: SystemctlArguments())
            let origin = ControlResponse.system(try systemctl.query(ControlRequest(verb: "status", lines: 0)))?.sinceMonotonicMicroseconds ?? 0
            let names = try systemctl.loadedUnits().map { $0.unit }
            var units: [String: UnitTime] = [:]
            for unit in ControlResponse.properties(try systemctl.query(ControlRequest(verb: "show", units: names))) {
                units[unit.unit] = UnitTime(
                    activating: UInt64(unit["InactiveExitTimestampMonotonic"] ?? "") ?? 0,
                    activated: UInt64(unit["ActiveEnterTimestampMonotonic"] ?? "") ?? 0,
                    after: (unit["After"] ?? "").split(separator: " ").map(String.init))
            }
            return UnitTimes(origin: origin, units: units)
        }
    }

    /// systemd's format_timespan() at millisecond accuracy: `262ms`, `2.713s`, `1min 2.345s`.
    static func format(_ microseconds: UInt64) -> String {
        let milliseconds = microseconds / 1000
        if milliseconds == 0 { return "0" }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        var parts: [String] = []
        var rest = milliseconds
        for (name, size) in [("h", UInt64(3_600_000)), ("min", 60_000)] where rest >= size {
            parts.append("\(rest / size)\(name)")
            rest %= size
        }
        if rest > 0 {
            var text = String(rest / 1000)
            let fraction = rest % 1000
            if fraction > 0 {
                var digits = String(fraction)
                digits = String(repeating: "0", count: 3 - digits.count) + digits
                while digits.hasSuffix("0") { digits.removeLast() }
                text += "." + digits
            }
            parts.append(text + "s")
        }
        return parts.joined(separator: " ")
    }

    static func label(_ name: String, _ time: UnitTime?, origin: UInt64) -> String {
        guard let time, time.activated > 0 else { return name }
        if time.duration > 0 { return "\(name) @\(format(time.activating - min(time.activating, origin))) +\(format(time.duration))" }
        return "\(name) @\(format(time.activated - min(time.activated, origin)))"
    }

    /// `critical-chain [UNIT...]` (default.target when none): for each unit, the chain of the
    /// latest-activated units it is ordered after.
    static func criticalChain(_ roots: [String], _ times: UnitTimes) -> String {
        var output = """
            The time when unit became active or started is printed after the "@" character.
            The time the unit took to start is printed after the "+" character.


            """
        for root in roots.isEmpty ? ["default.target"] : roots {
            output += label(root, times.units[root], origin: times.origin) + "\n"
            chain(from: root, times, prefix: "", seen: [root], into: &output)
        }
        return output
    }

    private static func chain(from name: String, _ times: UnitTimes, prefix: String, seen: [String], into output: inout String) {
        guard seen.count < 32 else { return }
        let candidates = (times.units[name]?.after ?? []).compactMap { dependency in times.units[dependency].map { (dependency, $0) } }
            .filter { $0.1.activated > 0 }
        guard let latest = candidates.map({ $0.1.activated }).max() else { return }
        let chosen = candidates.filter { $0.1.activated == latest }.sorted { $0.0 < $1.0 }
        for (index, (dependency, time)) in chosen.enumerated() {
            let last = index == chosen.count - 1
            output += prefix + (last ? "└─" : "├─") + label(dependency, time, origin: times.origin) + "\n"
            guard !seen.contains(dependency) else { continue }
            chain(from: dependency, times, prefix: prefix + (last ? "  " : "│ "), seen: seen + [dependency], into: &output)
        }
    }

    /// `blame`: units by how long their activation took, longest first.
    static func blame(_ times: UnitTimes) -> String {
        let rows = times.units.filter { $0.value.duration > 0 }.sorted { ($1.value.duration, $0.key) < ($0.value.duration, $1.key) }
        let width = rows.map { format($0.value.duration).count }.max() ?? 0
        return rows.map { String(repeating: " ", count: width - format($0.value.duration).count) + format($0.value.duration) + " " + $0.key + "\n" }.joined()
    }
}
