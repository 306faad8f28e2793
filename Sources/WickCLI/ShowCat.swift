import ArgumentParser
import WickControl

/// `wick show UNIT...` (systemctl show): every property as KEY=VALUE under systemd's names.
public struct Show: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the properties of units as KEY=VALUE, with systemd's property names.")
    @Argument(help: "Units to show.") var units: [String]
    @Option(name: [.short, .customLong("property")], help: "Only these properties (repeatable, or comma-separated).") var property: [String] = []
    @Flag(help: "Print only the values.") var value = false
    @OptionGroup var options: ControlOptions
    public init() {}

    public func run() throws {
        let response = try ControlCommand.query(ControlRequest(verb: "show", units: units), options: options)
        let wanted = Set(property.flatMap { $0.split(separator: ",").map(String.init) })
        var blocks: [String] = []
        var objects: [JSONValue] = []
        for unit in ControlResponse.properties(response) {
            let pairs = unit.properties.filter { wanted.isEmpty || wanted.contains($0.key) }.map { ($0.key, $0.value) }
            blocks.append(pairs.map { (value ? $0.1 : "\($0.0)=\($0.1)") + "\n" }.joined())
            objects.append(.object(pairs.map { ($0.0, .string($0.1)) }))
        }
        if options.json {
            print(JSONValue.array(objects).serialized)
        } else {
            print(blocks.joined(separator: "\n"), terminator: "")
        }
    }
}

/// `wick cat UNIT...` (systemctl cat): the fragment and drop-ins each unit was loaded from, each
/// after a `# PATH` line.
public struct Cat: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "cat", abstract: "Print the files and drop-ins units were loaded from.")
    @Argument(help: "Units to print.") var units: [String]
    @OptionGroup var options: ControlOptions
    public init() {}

    public func run() throws {
        let response = try ControlCommand.query(ControlRequest(verb: "cat", units: units), options: options)
        if options.json {
            print(response.serialized)
            return
        }
        var blocks: [String] = []
        for unit in ControlResponse.sources(response) {
            for file in unit.files {
                let path = file.path
                guard var contents = file.contents else {
                    blocks.append("# \(path) (cannot be read now)\n")
                    continue
                }
                if !contents.hasSuffix("\n") { contents += "\n" }
                blocks.append("# \(path)\n" + contents)
            }
        }
        print(blocks.joined(separator: "\n"), terminator: "")
    }
}
