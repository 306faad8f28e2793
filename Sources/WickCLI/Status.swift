import ArgumentParser
import WickControl
import WickSystem
import WickUnits

/// `wick status [UNIT...]` (systemctl status): state and sub-state since when, main pid, result,
/// sd_notify status text, restarts, and the last log lines. Exit codes as systemctl's: 0 when every
/// named unit is active or reloading, 3 when one is not, 4 when one does not exist.
public struct Status: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Show the runtime state of units, or of the daemon, with recent log lines.")
    @Argument(help: "Units to show; the daemon and every unit when none are named.") var units: [String] = []
    @Option(name: [.customShort("n"), .customLong("lines")], help: "How many log lines to show per unit.") var lines = 10
    @OptionGroup var options: ControlOptions
    public init() {}

    public func run() throws {
        let response = try ControlCommand.query(ControlRequest(verb: "status", units: units, lines: lines), options: options)
        let reports = response["units"]?.arrayValue ?? []
        if options.json {
            print(response.serialized)
        } else if let system = response["system"] {
            print(StatusRenderer.system(system, units: reports, now: WallClock.microseconds()), terminator: "")
        } else {
            print(reports.map { StatusRenderer.unit($0, now: WallClock.microseconds()) }.joined(separator: "\n"), terminator: "")
        }
        if !units.isEmpty, reports.contains(where: { !["active", "reloading"].contains($0["active"]?.stringValue ?? "") }) { throw ExitCode(3) }
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
    static func unit(_ report: JSONValue, now: Int64, preset: ((String) -> String)? = nil) -> String {
        let name = report["unit"]?.stringValue ?? "?"
        let description = report["description"]?.stringValue ?? ""
        var output = "\(bullet(report["active"]?.stringValue)) \(name)" + (description.isEmpty ? "" : " - \(description)") + "\n"
        var fields: [(String, String)] = []
        var loaded = report["load"]?.stringValue ?? "loaded"
        if let fragment = report["fragment"]?.stringValue {
            var details = [fragment]
            if let state = report["unit_file_state"]?.stringValue, !state.isEmpty {
                details.append(state)
                if let preset { details.append("vendor preset: " + preset(name)) }
            }
            loaded += " (" + details.joined(separator: "; ") + ")"
        }
        fields.append(("Loaded", loaded))
        let dropins = report["dropins"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !dropins.isEmpty { fields.append(("Drop-In", dropins.joined(separator: ", "))) }
        // systemctl: the sub-state in parentheses unless it repeats the active state.
        let activeState = report["active"]?.stringValue ?? "?", subState = report["sub"]?.stringValue ?? "?"
        var active = activeState + (subState == activeState ? "" : " (\(subState))")
        if let result = report["result"]?.stringValue, result != "success" { active += " (Result: \(result))" }
        if let since = report["since"]?.numberValue {
            active += " since \(Timestamp.full(Int64(since))); \(Timestamp.relative(Int64(since), now: now))"
        }
        fields.append(("Active", active))
        if let triggers = report["triggers"]?.arrayValue?.compactMap(\.stringValue), !triggers.isEmpty {
            fields.append(("Triggers", triggers.joined(separator: " ")))
        }
        if let triggeredBy = report["triggered_by"]?.arrayValue?.compactMap(\.stringValue), !triggeredBy.isEmpty {
            fields.append(("TriggeredBy", triggeredBy.joined(separator: " ")))
        }
        for listen in report["listen"]?.arrayValue ?? [] {
            fields.append(("Listen", "\(listen["address"]?.stringValue ?? "") (\(listen["type"]?.stringValue ?? ""))"))
        }
        if report["type"]?.stringValue == "socket" {
            let counters = ["accepted", "connections", "refused", "activations"].map { ListSockets.integer(report[$0]) }
            fields.append(("Accepted", "\(counters[0]); Connected: \(counters[1]); Refused: \(counters[2]); Activations: \(counters[3])"))
            if let latency = report["last_latency_us"]?.numberValue { fields.append(("Latency", ListSockets.latency(microseconds: latency))) }
        }
        if let received = report["ip_ingress_bytes"]?.numberValue, let sent = report["ip_egress_bytes"]?.numberValue {
            // systemctl status: "IP: 97.6K in, 97.6K out".
            fields.append(("IP", "\(Self.bytes(received)) in, \(Self.bytes(sent)) out"))
        }
        if let code = report["exit_code"]?.stringValue, let status = report["exit_status"]?.numberValue, report["main_pid"] == .null {
            // systemctl: "Process: 5012 ExecStart=/usr/bin/false (code=exited, status=1/FAILURE)"
            // and "Main PID: 5012 (code=exited, status=1/FAILURE)".
            let detail = "(code=\(code), " + (code == "killed" ? "signal=\(Signal(Int32(status)).description.dropFirst(3)))"
                : "status=" + (report["exit_status_text"]?.stringValue ?? String(Int64(status))) + ")")
            let pid = report["exec_main_pid"]?.numberValue.map { String(Int64($0)) + " " } ?? ""
            if let command = report["exec_main_command"]?.stringValue { fields.append(("Process", pid + "ExecStart=" + command + " " + detail)) }
            if !pid.isEmpty { fields.append(("Main PID", pid + detail)) }
        }
        if let pid = report["main_pid"]?.numberValue { fields.append(("Main PID", String(Int64(pid)))) }
        if let pid = report["control_pid"]?.numberValue { fields.append(("Control PID", String(Int64(pid)))) }
        if let error = report["spawn_error"]?.stringValue { fields.append(("Error", error)) }
        // systemctl status: "Tasks: 1", "Memory: 1.2M", "CPU: 25ms" (what the unit's cgroup counts).
        if let tasks = report["tasks_current"]?.numberValue, tasks >= 0, tasks < 1e15 { fields.append(("Tasks", String(Int64(tasks)))) }
        if let memory = report["memory_current"]?.numberValue { fields.append(("Memory", Self.bytes(memory))) }
        if let cpu = report["cpu_usage_ns"]?.numberValue, cpu >= 0, cpu < 1.8e19 {
            fields.append(("CPU", TimeSpan(microseconds: UInt64(cpu) / 1_000_000 * 1000).description))
        }
        let members = (report["cgroup_processes"]?.arrayValue ?? []).compactMap(\.numberValue).map { Int64($0) }
        if let cgroup = report["cgroup"]?.stringValue, !members.isEmpty {
            fields.append(("CGroup", cgroup + members.map { "\n             └─\($0)" }.joined()))
        }
        let skipped = (report["sandbox_skipped"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !skipped.isEmpty { fields.append(("Sandbox", "not applied (--sandbox=best-effort): " + skipped.joined(separator: ", "))) }
        if let text = report["status_text"]?.stringValue { fields.append(("Status", "\"\(text)\"")) }
        if let restarts = report["restarts"]?.numberValue { fields.append(("Restarts", String(Int64(restarts)))) }
        for (label, value) in fields {
            output += String(repeating: " ", count: max(0, 11 - label.count)) + label + ": " + value + "\n"
        }
        let log = report["log"]?.arrayValue ?? []
        if !log.isEmpty {
            output += "\n" + log.map(LogRenderer.line).joined()
        }
        return output
    }

    static func system(_ system: JSONValue, units: [JSONValue], now: Int64) -> String {
        let state = system["state"]?.stringValue ?? "?"
        var output = "\(bullet(state == "running" ? "active" : state == "degraded" ? "failed" : "inactive")) wick\n"
        output += "    State: \(state)\n"
        output += "    Units: \(ListSockets.integer(system["units"])) loaded, \(ListSockets.integer(system["failed"])) failed\n"
        if let since = system["since"]?.numberValue {
            output += "    Since: \(Timestamp.full(Int64(since))); \(Timestamp.relative(Int64(since), now: now))\n"
        }
        output += "      PID: \(ListSockets.integer(system["pid"]))\n"
        let directories = system["unit_directories"]?.arrayValue?.compactMap(\.stringValue) ?? []
        output += "    Units from: \(directories.joined(separator: " "))\n\n"
        for unit in units {
            output += "  \(bullet(unit["active"]?.stringValue)) \(unit["unit"]?.stringValue ?? "?") \(unit["active"]?.stringValue ?? "?") (\(unit["sub"]?.stringValue ?? "?"))\n"
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
