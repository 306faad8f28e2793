import ArgumentParser
import WickControl
import WickSystem
import WickUnits

/// `wick status [UNIT...]` (systemctl status): state and sub-state since when, main pid, result,
/// sd_notify status text, restarts, and the last log lines. Exit codes as systemctl's: 0 when every
/// named unit is active or reloading, 3 when one is not, 4 when one does not exist.
public struct Status: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the runtime state of units, or of the daemon, with recent log lines.")
    @Argument(help: "Units to show; the daemon and every unit when none are named.") var units: [String] = []
    @Option(name: [.customShort("n"), .customLong("lines")], help: "How many log lines to show per unit.") var lines = 10
    @OptionGroup var options: ControlOptions
    public init() {}

    public func run() throws {
        let response = try ControlCommand.query(ControlRequest(verb: "status", units: units, lines: lines), options: options)
        let reports = ControlResponse.units(response)
        if options.json {
            print(response.serialized)
        } else if let system = ControlResponse.system(response) {
            print(StatusRenderer.system(system, units: reports, now: WallClock.microseconds()), terminator: "")
        } else {
            print(reports.map { StatusRenderer.unit($0, now: WallClock.microseconds()) }.joined(separator: "\n"), terminator: "")
        }
        if !units.isEmpty, reports.contains(where: { !["active", "reloading"].contains($0.active) }) { throw ExitCode(3) }
    }
}

/// The human form of `status`, laid out like systemctl's.
enum StatusRenderer {
    static func bullet(_ active: String?) -> String {
        switch active {
        case "active", "reloading": return "●"
        case "failed": return "×"
        default: return "○"
        }
    }

    /// `preset`: the vendor preset of a unit, for `Loaded: loaded (PATH; enabled; vendor preset:
    /// enabled)` as systemctl 252 prints it.
    static func unit(_ report: UnitReport, now: Int64, preset: ((String) -> String)? = nil) -> String {
        var output = "\(bullet(report.active)) \(report.unit)" + (report.description.isEmpty ? "" : " - \(report.description)") + "\n"
        var fields: [(String, String)] = []
        var loaded = report.load.isEmpty ? "loaded" : report.load
        if let fragment = report.fragment {
            var details = [fragment]
            if !report.unitFileState.isEmpty {
                details.append(report.unitFileState)
                if let preset { details.append("vendor preset: " + preset(report.unit)) }
            }
            loaded += " (" + details.joined(separator: "; ") + ")"
        }
        fields.append(("Loaded", loaded))
        if !report.dropIns.isEmpty { fields.append(("Drop-In", report.dropIns.joined(separator: ", "))) }
        // systemctl: the sub-state in parentheses unless it repeats the active state.
        var active = report.active + (report.sub == report.active ? "" : " (\(report.sub))")
        if !report.result.isEmpty, report.result != "success" { active += " (Result: \(report.result))" }
        if let since = report.since {
            active += " since \(Timestamp.full(since)); \(Timestamp.relative(since, now: now))"
        }
        fields.append(("Active", active))
        if let socket = report.socket {
            if !socket.triggers.isEmpty { fields.append(("Triggers", socket.triggers.joined(separator: " "))) }
            for listen in socket.listen { fields.append(("Listen", "\(listen.address) (\(listen.type))")) }
            fields.append(("Accepted", "\(socket.accepted); Connected: \(socket.connections); Refused: \(socket.refused); Activations: \(socket.activations)"))
            if let latency = socket.lastLatencyMicroseconds { fields.append(("Latency", ListSockets.latency(microseconds: Double(latency)))) }
        }
        if let service = report.service, !service.triggeredBy.isEmpty {
            fields.append(("TriggeredBy", service.triggeredBy.joined(separator: " ")))
        }
        if let received = report.ipIngressBytes, let sent = report.ipEgressBytes {
            // systemctl status: "IP: 97.6K in, 97.6K out".
            fields.append(("IP", "\(Self.bytes(Double(received))) in, \(Self.bytes(Double(sent))) out"))
        }
        if let service = report.service { fields += Self.serviceFields(service) }
        var text = fields.map { label, value in String(repeating: " ", count: max(0, 11 - label.count)) + label + ": " + value + "\n" }.joined()
        if !report.log.isEmpty { text += "\n" + report.log.map(LogRenderer.line).joined() }
        output += text
        return output
    }

    private static func serviceFields(_ service: ServiceDetails) -> [(String, String)] {
        var fields: [(String, String)] = []
        if let exit = service.exit, service.mainPID == nil {
            // systemctl: "Process: 5012 ExecStart=/usr/bin/false (code=exited, status=1/FAILURE)"
            // and "Main PID: 5012 (code=exited, status=1/FAILURE)".
            let detail = "(code=\(exit.code.rawValue), " + (exit.code == .killed ? "signal=\(Signal(exit.status).description.dropFirst(3)))"
                : "status=" + (exit.statusText ?? String(exit.status)) + ")")
            let pid = service.execMainPID.map { String($0) + " " } ?? ""
            if let command = service.execMainCommand { fields.append(("Process", pid + "ExecStart=" + command + " " + detail)) }
            if !pid.isEmpty { fields.append(("Main PID", pid + detail)) }
        }
        if let pid = service.mainPID { fields.append(("Main PID", String(pid))) }
        if let pid = service.controlPID { fields.append(("Control PID", String(pid))) }
        if let error = service.spawnError { fields.append(("Error", error)) }
        // systemctl status: "Tasks: 1", "Memory: 1.2M", "CPU: 25ms" (what the unit's cgroup counts).
        if let tasks = service.tasksCurrent { fields.append(("Tasks", String(tasks))) }
        if let memory = service.memoryCurrent { fields.append(("Memory", Self.bytes(Double(memory)))) }
        // systemctl status: FORMAT_TIMESPAN(nsec / 1000, USEC_PER_MSEC).
        if let cpu = service.cpuUsageNanoseconds { fields.append(("CPU", TimeSpan(microseconds: cpu / 1000).formatted(accuracy: 1000))) }
        if service.fdStore > 0 || service.fdStoreMax > 0 { fields.append(("FD Store", "\(service.fdStore) (limit: \(service.fdStoreMax))")) }
        if let cgroup = service.cgroup, !service.cgroupProcesses.isEmpty {
            fields.append(("CGroup", cgroup + service.cgroupProcesses.map { "\n             └─\($0)" }.joined()))
        }
        if !service.sandboxSkipped.isEmpty {
            fields.append(("Sandbox", "not applied (--sandbox=best-effort): " + service.sandboxSkipped.joined(separator: ", ")))
        }
        if let text = service.statusText { fields.append(("Status", "\"\(Self.printable(text))\"")) }
        fields.append(("Restarts", String(service.restarts)))
        return fields
    }

    static func system(_ system: SystemReport, units: [UnitReport], now: Int64) -> String {
        let state = system.state
        var output = "\(bullet(state == "running" ? "active" : state == "degraded" ? "failed" : "inactive")) wick\n"
        output += "    State: \(state)\n"
        output += "    Units: \(system.units) loaded, \(system.failed) failed\n"
        output += "    Since: \(Timestamp.full(system.since)); \(Timestamp.relative(system.since, now: now))\n"
        output += "      PID: \(system.pid)\n"
        output += "    Units from: \(system.unitDirectories.joined(separator: " "))\n\n"
        for unit in units {
            output += "  \(bullet(unit.active)) \(unit.unit) \(unit.active) (\(unit.sub))\n"
        }
        return output
    }

    /// A service's own text (`STATUS=`) for a terminal: control characters (C0 such as ESC, BEL,
    /// CR, DEL, and C1 such as U+009B, the one-character CSI) as escapes (`\x1b`, `\u009b`), so
    /// that a service cannot move the cursor or rewrite what `wick status` shows.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return text }
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: output += "\\n"
            case 0x09: output += "\\t"
            case 0..<0x20, 0x7F:
                let hex = String(scalar.value, radix: 16)
                output += "\\x" + (hex.count < 2 ? "0" : "") + hex
            case 0x80...0x9F:
                output += "\\u00" + String(scalar.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// systemd's `format_bytes()`: 1024-based, one decimal, B K M G T.
    static func bytes(_ value: Double) -> String {
        var amount = value, unit = 0
        let units = ["B", "K", "M", "G", "T"]
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        guard amount.isFinite, amount >= 0, amount < 1e15 else { return "?" }
        guard unit > 0 else { return "\(Int64(amount))B" }
        let tenths = Int64((amount * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)" + units[unit]
    }
}
