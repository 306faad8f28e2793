import ArgumentParser
import WickControl

/// `wick list-units [UNIT...]` (systemctl list-units): every loaded unit with its states.
public struct ListUnits: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "list-units", abstract: "List units with their load, active and sub states.")
    @Argument(help: "Units to list (all when none are named).") var units: [String] = []
    @OptionGroup var options: ControlOptions
    public init() {}

    public func run() throws {
        let response = try ControlCommand.query(ControlRequest(verb: "list-units", units: units), options: options)
        if options.json {
            print(response.serialized)
            return
        }
        print(Self.render(response["units"]?.arrayValue ?? []), terminator: "")
    }

    static func render(_ units: [JSONValue]) -> String {
        let rows = units.map { unit in
            ["unit", "load", "active", "sub", "description"].map { unit[$0]?.stringValue ?? "" }
        }
        return Table.render(["UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION"], rows) + "\n\(rows.count) loaded units listed.\n"
    }
}

/// `wick list-jobs` (systemctl list-jobs): the start jobs in progress, running or waiting for
/// the units they are ordered after.
public struct ListJobs: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "list-jobs", abstract: "List the jobs in progress.")
    @OptionGroup var options: ControlOptions
    public init() {}

    public func run() throws {
        let response = try ControlCommand.query(ControlRequest(verb: "list-jobs"), options: options)
        if options.json {
            print(response.serialized)
            return
        }
        let jobs = response["jobs"]?.arrayValue ?? []
        if jobs.isEmpty {
            print("No jobs running.")
            return
        }
        let rows = jobs.map { job in
            ["unit", "type", "state"].map { job[$0]?.stringValue ?? "" }
                + [(job["waiting_for"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ")]
        }
        print(Table.render(["UNIT", "TYPE", "STATE", "WAITING FOR"], rows) + "\n\(rows.count) jobs listed.")
    }
}

/// `wick list-sockets` (systemctl list-sockets): every listening address with the service it
/// activates, in systemctl's columns (LISTEN, UNIT, ACTIVATES; TYPE after LISTEN with
/// `--show-types`), then the counters of systemd's socket units (NAccepted, NConnections,
/// NRefused), activations and the last activation's latency.
public struct ListSockets: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "list-sockets", abstract: "List listening sockets, the services they activate, and their counters.")
    @Argument(help: "Socket units to list (all when none are named).") var units: [String] = []
    @Flag(name: .customLong("show-types"), help: "Add the TYPE column after LISTEN, as systemctl's --show-types.") var showTypes = false
    @OptionGroup var options: ControlOptions
    public init() {}

    public func run() throws {
        let response = try ControlCommand.query(ControlRequest(verb: "list-sockets", units: units), options: options)
        if options.json {
            print(response.serialized)
            return
        }
        print(Self.render(response["sockets"]?.arrayValue ?? [], showTypes: showTypes), terminator: "")
    }

    static func render(_ sockets: [JSONValue], showTypes: Bool) -> String {
        var rows: [[String]] = []
        for socket in sockets {
            let triggers = socket["triggers"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " ") ?? ""
            let counters = ["accepted", "connections", "refused", "activations"].map { Self.integer(socket[$0]) }
            let latency = socket["last_latency_us"]?.numberValue.map { Self.latency(microseconds: $0) } ?? "-"
            for listen in socket["listen"]?.arrayValue ?? [] {
                let type = showTypes ? [listen["type"]?.stringValue ?? ""] : []
                rows.append([listen["address"]?.stringValue ?? ""] + type + [socket["unit"]?.stringValue ?? "", triggers] + counters + [latency])
            }
        }
        let header = ["LISTEN"] + (showTypes ? ["TYPE"] : []) + ["UNIT", "ACTIVATES", "ACCEPTED", "CONNECTIONS", "REFUSED", "ACTIVATIONS", "LATENCY"]
        return Table.render(header, rows) + "\n\(rows.count) sockets listed.\n"
    }

    static func integer(_ value: JSONValue?) -> String { value?.numberValue.map { String(Int64($0)) } ?? "-" }

    /// `850us`, `1.2ms`, `3.40s`.
    static func latency(microseconds value: Double) -> String {
        if value < 1000 { return "\(Int(value))us" }
        if value < 1_000_000 { return decimal(value / 1000, places: 1) + "ms" }
        return decimal(value / 1_000_000, places: 2) + "s"
    }

    static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let whole = scaled / Int64(scale), fraction = String(scaled % Int64(scale))
        return "\(whole)." + String(repeating: "0", count: places - fraction.count) + fraction
    }
}
