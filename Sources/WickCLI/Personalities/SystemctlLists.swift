import WickControl
import WickUnits

/// systemctl's list verbs in its formats (systemctl-list-units.c, systemctl-list-dependencies.c):
/// a header, rows, a blank line and the legend, each column one space apart; `--no-legend` drops
/// header and legend, `--plain` the status column and the tree drawing.
struct SystemctlLists {
    let systemctl: Systemctl
    var options: SystemctlArguments { systemctl.options }

    /// Rows under a header, as systemctl prints them; with `--json=` the rows as JSON objects
    /// and no legend.
    private func table(_ header: [String], _ rows: [[String]]) -> String {
        if let json = options.json { return Table.json(header, rows, pretty: json == "pretty") }
        let text = Table.render(header, rows)
        guard !options.legend else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
    }

    private func matches(_ unit: UnitReport) -> Bool {
        let name = unit.unit
        let patterns = options.arguments.map(Systemctl.mangle)
        if !patterns.isEmpty, !patterns.contains(where: { Glob.matches($0, name) }) { return false }
        if !options.types.isEmpty, !options.types.contains(where: { name.hasSuffix("." + $0) }) { return false }
        let states = [unit.load, unit.active, unit.sub]
        if !options.states.isEmpty { return options.states.contains(where: states.contains) }
        // Without --all: the units that are not inactive (output_show_unit()).
        return options.all || unit.active != "inactive"
    }

    /// `list-units [PATTERN...]`.
    func units() throws(Systemctl.Failure) -> Int32 {
        let units = try systemctl.loadedUnits().filter(matches)
        let rows = units.map { unit -> [String] in
            let bad = unit.active == "failed" || unit.load != "loaded"
            let cells = [unit.unit, unit.load, unit.active, unit.sub, unit.description]
            return options.plain ? cells : [bad ? "●" : ""] + cells
        }
        let header = options.plain ? ["UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION"] : ["", "UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION"]
        var output = rows.isEmpty && !options.legend && options.json == nil ? "" : table(header, rows)
        if options.legend && options.json == nil {
            output += """

                LOAD   = Reflects whether the unit definition was properly loaded.
                ACTIVE = The high-level unit activation state, i.e. generalization of SUB.
                SUB    = The low-level unit activation state, values depend on unit type.

                """
            output += "\(rows.count) loaded units listed."
            output += options.all ? "\n" : " Pass --all to see loaded but inactive units, too.\n"
            output += "To show all installed unit files use 'systemctl list-unit-files'.\n"
        }
        print(output, terminator: "")
        return 0
    }

    /// `list-sockets [PATTERN...]`: LISTEN, UNIT, ACTIVATES (TYPE after LISTEN with
    /// `--show-types`), one row per listening address.
    func sockets() throws(Systemctl.Failure) -> Int32 {
        let sockets = ControlResponse.units(try systemctl.query(ControlRequest(verb: "list-sockets")))
        var rows: [[String]] = []
        for report in sockets where matches(report) {
            guard let socket = report.socket else { continue }
            for listen in socket.listen {
                let type = options.showTypes ? [listen.type] : []
                // An idle Accept=yes socket activates nothing: systemctl's ersatz dash (TABLE_EMPTY).
                let activates = socket.triggers.isEmpty && options.json == nil ? "-" : socket.triggers.joined(separator: ", ")
                rows.append([listen.address] + type + [report.unit, activates])
            }
        }
        let header = ["LISTEN"] + (options.showTypes ? ["TYPE"] : []) + ["UNIT", "ACTIVATES"]
        var output = rows.isEmpty && !options.legend && options.json == nil ? "" : table(header, rows)
        if options.legend && options.json == nil {
            output += "\n\(rows.count) sockets listed.\n"
            if !options.all { output += "Pass --all to see loaded but inactive sockets, too.\n" }
        }
        print(output, terminator: "")
        return 0
    }

    /// `list-timers`: wick has no timer units; the list is empty, honestly.
    func timers() -> Int32 {
        if options.json != nil {
            print("[]")
            return 0
        }
        if options.legend {
            print("NEXT LEFT LAST PASSED UNIT ACTIVATES\n\n0 timers listed.")
            if !options.all { print("Pass --all to see loaded but inactive timers, too.") }
        }
        return 0
    }

    /// `list-jobs`.
    func jobs() throws(Systemctl.Failure) -> Int32 {
        let jobs = ControlResponse.jobs(try systemctl.query(ControlRequest(verb: "list-jobs")))
        if jobs.isEmpty && options.json == nil {
            if options.legend { print("No jobs running.") }
            return 0
        }
        let rows = jobs.map { [String($0.id), $0.unit, $0.type, $0.state] }
        print(table(["JOB", "UNIT", "TYPE", "STATE"], rows) + (options.legend && options.json == nil ? "\n\(rows.count) jobs listed.\n" : ""), terminator: "")
        return 0
    }

    /// `list-dependencies [UNIT...]` (default.target when none): the tree, targets recursed into
    /// and other units only with `--all`; `--reverse` for what pulls the unit in.
    func dependencies() throws(Systemctl.Failure) -> Int32 {
        let units = options.arguments.map(Systemctl.mangle)
        let trees = ControlResponse.dependencies(try systemctl.query(ControlRequest(verb: "list-dependencies", units: units, reverse: options.reverse)))
        var output = ""
        for tree in trees {
            output += tree.unit + "\n"
            render(tree.children, prefix: "", into: &output)
        }
        print(output, terminator: "")
        return 0
    }

    private func render(_ children: [DependencyNode], prefix: String, into output: inout String) {
        for (index, child) in children.enumerated() {
            let last = index == children.count - 1
            let name = child.unit, active = child.active
            let mark = options.plain ? "" : (active == "active" || active == "reloading" ? "● " : active == "failed" ? "× " : "○ ")
            let branch = options.plain ? "  " : (last ? "└─" : "├─")
            output += mark + prefix + branch + name + "\n"
            if name.hasSuffix(".target") || options.all {
                render(child.children, prefix: prefix + (options.plain ? "  " : (last ? "  " : "│ ")), into: &output)
            }
        }
    }
}
