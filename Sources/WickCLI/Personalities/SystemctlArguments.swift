/// systemctl's command line (systemctl(1), getopt_long with permutation: options anywhere, short
/// options bundled, `--opt=value`, `--opt value`, `-pX`, `--` ends options).
struct SystemctlArguments: Equatable {
    var verb: String?
    var arguments: [String] = []
    var properties: [String] = []
    /// `-a`, or a property named with `-p`: empty properties are printed too.
    var showEmpty = false
    var value = false
    var all = false
    var legend = true
    var plain = false
    var quiet = false
    var now = false
    var states: [String] = []
    var types: [String] = []
    var json: String?
    var root: String?
    var reverse = false
    var lines = 10
    var signal: String?
    var noBlock = false
    var force = false
    var runtime = false
    var showTypes = false
    var user = false
    var host: String?
    var version = false
    var help = false
    var noReload = false
    var dryRun = false
    /// Options systemctl has whose effect wick does not implement: refused (status 3), never
    /// accepted without effect.
    var unsupported: [String] = []

    struct Failure: Error, Equatable {
        var message: String
    }

    /// Options that take a value, by long name; the short letter when there is one.
    private static let valued: [String: Character?] = [
        "property": "p", "type": "t", "state": nil, "lines": "n", "signal": "s", "root": nil, "json": nil, "output": "o",
        "host": "H", "machine": "M", "job-mode": nil, "kill-whom": nil, "kill-who": nil, "preset-mode": nil, "legend": nil,
        "what": nil, "boot-loader-entry": nil, "boot-loader-menu": nil, "message": nil, "timestamp": nil, "check-inhibitors": nil,
        "reboot-argument": nil, "marked": nil, "image": nil, "drop-in": nil, "when": nil,
    ]
    /// Flags, by long name, with their short letter.
    private static let flags: [String: Character?] = [
        "all": "a", "value": nil, "no-legend": nil, "plain": nil, "quiet": "q", "now": nil, "failed": nil, "reverse": nil,
        "no-block": nil, "force": "f", "runtime": nil, "show-types": nil, "no-pager": nil, "full": "l", "system": nil,
        "user": nil, "global": nil, "no-ask-password": nil, "no-reload": nil, "no-wall": nil, "recursive": "r", "after": nil,
        "before": nil, "wait": nil, "no-warn": nil, "ignore-inhibitors": "i", "dry-run": nil, "help": "h", "version": nil,
        "read-only": nil, "mkdir": nil, "firmware-setup": nil, "with-dependencies": nil, "show-transaction": "T",
        "irreversible": nil, "ignore-dependencies": nil, "fail": nil, "ignore-inhibitors-old": nil,
    ]

    init() {}

    init(parsing arguments: [String]) throws(Failure) {
        var index = 0
        var positional: [String] = []
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                positional += arguments[index...]
                break
            }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
                if Self.valued[name] != nil {
                    guard let value = inline ?? (index < arguments.count ? arguments[index] : nil) else {
                        throw Failure(message: "systemctl: option '--\(name)' requires an argument")
                    }
                    if inline == nil { index += 1 }
                    try apply(name, value)
                } else if Self.flags[name] != nil {
                    guard inline == nil else { throw Failure(message: "systemctl: option '--\(name)' doesn't allow an argument") }
                    try apply(name, nil)
                } else {
                    throw Failure(message: "systemctl: unrecognized option '\(argument)'")
                }
            } else if argument.hasPrefix("-"), argument.count > 1 {
                var letters = Array(argument.dropFirst())
                while !letters.isEmpty {
                    let letter = letters.removeFirst()
                    if letter == "P" {
                        // -P NAME: --value --property=NAME.
                        let rest = String(letters)
                        letters = []
                        guard let value = rest.isEmpty ? (index < arguments.count ? arguments[index] : nil) : rest else {
                            throw Failure(message: "systemctl: option requires an argument -- 'P'")
                        }
                        if rest.isEmpty { index += 1 }
                        self.value = true
                        try apply("property", value)
                    } else if let name = Self.valued.first(where: { $0.value == letter })?.key {
                        let rest = String(letters)
                        letters = []
                        guard let value = rest.isEmpty ? (index < arguments.count ? arguments[index] : nil) : rest else {
                            throw Failure(message: "systemctl: option requires an argument -- '\(letter)'")
                        }
                        if rest.isEmpty { index += 1 }
                        try apply(name, value)
                    } else if let name = Self.flags.first(where: { $0.value == letter })?.key {
                        try apply(name, nil)
                    } else {
                        throw Failure(message: "systemctl: invalid option -- '\(letter)'")
                    }
                }
            } else {
                positional.append(argument)
            }
        }
        verb = positional.first
        self.arguments = Array(positional.dropFirst())
    }

    private mutating func apply(_ name: String, _ value: String?) throws(Failure) {
        let list = { (text: String) in text.split(separator: ",").map(String.init) }
        switch name {
        case "property":
            properties += list(value ?? "")
            showEmpty = true
        case "type": types += list(value ?? "")
        case "state": states += list(value ?? "")
        case "lines":
            guard let number = Int(value ?? ""), number >= 0 else { throw Failure(message: "Failed to parse lines '\(value ?? "")'") }
            lines = number
        case "signal": signal = value
        case "root": root = value
        case "json":
            guard ["pretty", "short", "off"].contains(value ?? "") else { throw Failure(message: "Unknown argument to --json= switch: \(value ?? "")") }
            json = value == "off" ? nil : value
        case "legend":
            guard let flag = value.flatMap(Self.boolean) else { throw Failure(message: "Failed to parse --legend= argument: \(value ?? "")") }
            legend = flag
        case "host", "machine": host = value
        case "all":
            all = true
            showEmpty = true
        case "value": self.value = true
        case "no-legend": legend = false
        case "plain": plain = true
        case "quiet": quiet = true
        case "now": now = true
        case "failed": states.append("failed")
        case "reverse": reverse = true
        case "no-block": noBlock = true
        case "force": force = true
        case "runtime": runtime = true
        case "show-types": showTypes = true
        case "user", "global": user = true
        case "no-reload": noReload = true
        case "version": version = true
        case "help": help = true
        case "dry-run": dryRun = true
        // Their default is what wick does; another value is not implemented.
        case "kill-whom", "kill-who": if value != "all" { unsupported.append("--\(name)=\(value ?? "")") }
        case "job-mode": if value != "replace" { unsupported.append("--job-mode=\(value ?? "")") }
        case "preset-mode": if value != "full" { unsupported.append("--preset-mode=\(value ?? "")") }
        // No effect to have: wick never pages, asks for passwords, honours inhibitors, or has
        // machines to recurse into; --system is what it is.
        case "no-pager", "full", "system", "no-ask-password", "ignore-inhibitors", "check-inhibitors", "no-warn", "recursive", "no-wall":
            break
        default:
            unsupported.append("--" + name)
        }
    }

    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "yes", "y", "true", "t", "on": return true
        case "0", "no", "n", "false", "f", "off": return false
        default: return nil
        }
    }
}
