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
        print(Self.render(ControlResponse.units(response)), terminator: "")
    }

    static func render(_ units: [UnitReport]) -> String {
        let rows = units.map { [$0.unit, $0.load, $0.active, $0.sub, $0.description] }
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
        let jobs = ControlResponse.jobs(response)
        if jobs.isEmpty {
            print("No jobs running.")
            return
        }
        let rows = jobs.map { [$0.unit, $0.type, $0.state, $0.waitingFor.joined(separator: " ")] }
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
        print(Self.render(ControlResponse.units(response), showTypes: showTypes), terminator: "")
    }

    static func render(_ sockets: [UnitReport], showTypes: Bool) -> String {
        var rows: [[String]] = []
        for report in sockets {
            guard let socket = report.socket else { continue }
            let counters = [socket.accepted, socket.connections, socket.refused, socket.activations].map(String.init)
            let latency = socket.lastLatencyMicroseconds.map { Self.latency(microseconds: Double($0)) } ?? "-"
            for listen in socket.listen {
                let type = showTypes ? [listen.type] : []
                // systemctl's ersatz dash for an empty cell (an idle Accept=yes socket activates nothing).
                let activates = socket.triggers.isEmpty ? "-" : socket.triggers.joined(separator: " ")
                rows.append([listen.address] + type + [report.unit, activates] + counters + [latency])
            }
        }
        let header = ["LISTEN"] + (showTypes ? ["TYPE"] : []) + ["UNIT", "ACTIVATES", "ACCEPTED", "CONNECTIONS", "REFUSED", "ACTIVATIONS", "LATENCY"]
        return Table.render(header, rows) + "\n\(rows.count) sockets listed.\n"
    }

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
