/// One command of `ExecStart=` and friends (systemd.service(5) "Command lines"), split and
/// unescaped at load time, specifiers already expanded; environment variables are expanded when
/// the command runs (`expandedArguments(environment:)`).
public struct ExecCommand: Hashable, Sendable {
    /// The executable: absolute, or a bare file name looked up in systemd's fixed search path.
    public var path: String
    /// argv, including argv[0] (the path, or the word after it with the `@` prefix).
    public var arguments: [String]
    public var flags: Flags

    public init(path: String, arguments: [String], flags: Flags = []) {
        self.path = path
        self.arguments = arguments
        self.flags = flags
    }

    /// The special executable prefixes of systemd.service(5), table 1.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// `-`: a failure exit status is recorded but ignored.
        public static let ignoreFailure = Flags(rawValue: 1 << 0)
        /// `@`: the second word is passed as argv[0].
        public static let customArgv0 = Flags(rawValue: 1 << 1)
        /// `:`: no environment variable substitution.
        public static let noEnvironmentExpansion = Flags(rawValue: 1 << 2)
        /// `+`: runs with full privileges (no User=, sandboxing).
        public static let fullPrivileges = Flags(rawValue: 1 << 3)
        /// `!`: runs with elevated privileges, credentials not applied by the service manager.
        public static let privilegedNoSetuid = Flags(rawValue: 1 << 4)
        /// `!!`: like `!` but only on systems without ambient capabilities.
        public static let ambientFallback = Flags(rawValue: 1 << 5)
    }

    /// The prefixes in their written form, for messages and `wick cat`.
    public var prefixString: String {
        var text = ""
        if flags.contains(.ignoreFailure) { text += "-" }
        if flags.contains(.customArgv0) { text += "@" }
        if flags.contains(.noEnvironmentExpansion) { text += ":" }
        if flags.contains(.fullPrivileges) { text += "+" }
        if flags.contains(.ambientFallback) { text += "!!" } else if flags.contains(.privilegedNoSetuid) { text += "!" }
        return text
    }

    /// Parses one directive value into commands: words separated by a bare `;` form separate
    /// commands (a literal semicolon is written `\;`). `expand` resolves `%` specifiers in each
    /// word after unquoting, as systemd's `config_parse_exec()` does.
    public static func parse(
        _ value: String, expand: (String) throws(ValueError) -> String = { $0 }
    ) throws(ValueError) -> [ExecCommand] {
        let words = try WordSplitter.split(value)
        var commands: [ExecCommand] = []
        var index = 0
        while index < words.count {
            var group: [String] = []
            var firstWordQuoted = false
            while index < words.count {
                let word = words[index]
                index += 1
                if word.text == ";" && !word.wasQuoted { break }
                if group.isEmpty { firstWordQuoted = word.wasQuoted }
                group.append(word.text == "\\;" ? ";" : word.text)
            }
            if group.isEmpty {
                throw ValueError("empty command between ';' separators in '\(value.prefix(80))'")
            }
            commands.append(try command(from: group, firstWordQuoted: firstWordQuoted, expand: expand))
        }
        return commands
    }

    private static func command(
        from words: [String], firstWordQuoted: Bool, expand: (String) throws(ValueError) -> String
    ) throws(ValueError) -> ExecCommand {
        var first = Substring(words[0])
        var flags: Flags = []
        prefixLoop: while let c = first.first {
            switch c {
            case "-" where !flags.contains(.ignoreFailure): flags.insert(.ignoreFailure)
            case "@" where !flags.contains(.customArgv0): flags.insert(.customArgv0)
            case ":" where !flags.contains(.noEnvironmentExpansion): flags.insert(.noEnvironmentExpansion)
            case "+" where !flags.contains(.fullPrivileges) && !flags.contains(.privilegedNoSetuid):
                flags.insert(.fullPrivileges)
            case "!" where !flags.contains(.fullPrivileges) && !flags.contains(.ambientFallback):
                if flags.contains(.privilegedNoSetuid) {
                    flags.remove(.privilegedNoSetuid)
                    flags.insert(.ambientFallback)
                } else {
                    flags.insert(.privilegedNoSetuid)
                }
            default: break prefixLoop
            }
            first = first.dropFirst()
        }
        if flags.contains(.fullPrivileges) && first.first == "!" {
            throw ValueError("the prefixes '+' and '!' exclude each other")
        }
        let path = try expand(String(first))
        guard !path.isEmpty else { throw ValueError("missing executable path after the prefixes") }
        if path.contains("/") {
            guard path.hasPrefix("/") else {
                throw ValueError("executable path '\(path)' must be absolute or a plain file name")
            }
        }
        var rest = Array(words.dropFirst())
        var arguments: [String] = []
        if flags.contains(.customArgv0) {
            guard !rest.isEmpty else { throw ValueError("the '@' prefix needs argv[0] after the executable path") }
            arguments.append(try expand(rest.removeFirst()))
        } else {
            arguments.append(path)
        }
        for word in rest { arguments.append(try expand(word)) }
        return ExecCommand(path: path, arguments: arguments, flags: flags)
    }

    /// argv with environment variables substituted as systemd does when it runs the command
    /// (systemd.service(5)): a word that is exactly `$NAME` becomes the variable's value split at
    /// whitespace (zero or more words); `${NAME}` anywhere in a word is replaced by the exact value;
    /// `${NAME:-default}` and `${NAME:+alternate}` as in a shell; `$$` is a literal `$`. The `:`
    /// prefix turns all of this off. Nil when the result is more than execve(2) takes
    /// (`maximumArgumentBytes`, `maximumArgumentsBytes`): found while it is built, so that it is
    /// never built in full.
    public func expandedArguments(environment: [String: String]) -> [String]? {
        if flags.contains(.noEnvironmentExpansion) { return arguments }
        var result: [String] = []
        result.reserveCapacity(arguments.count)
        var total = 0
        func add(_ word: String) -> Bool {
            let size = word.utf8.count + 1
            guard size <= Self.maximumArgumentBytes, total + size <= Self.maximumArgumentsBytes else { return false }
            total += size
            result.append(word)
            return true
        }
        for word in arguments {
            guard word.containsByte(UInt8(ascii: "$")) else {
                guard add(word) else { return nil }
                continue
            }
            if word.hasPrefix("$"), word.count > 1,
               !word.dropFirst().hasPrefix("{"), !word.dropFirst().hasPrefix("$") {
                let value = environment[String(word.dropFirst())] ?? ""
                guard total + value.utf8.count <= Self.maximumArgumentsBytes else { return nil }
                for piece in value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
                    guard add(String(piece)) else { return nil }
                }
                continue
            }
            guard let substituted = Self.substituteBraced(word, environment: environment), add(substituted) else { return nil }
        }
        return result
    }

    /// The kernel's bound on one argument, with its NUL (MAX_ARG_STRLEN, 32 pages).
    public static let maximumArgumentBytes = 131_072
    /// wick's bound on all of them: ARG_MAX under the default 8 MiB stack (a quarter of it).
    public static let maximumArgumentsBytes = 2_097_152

    /// `${NAME}`, `${NAME:-default}`, `${NAME:+alternate}` and `$$` in one word (systemd's
    /// `replace_env()`); nil once it would be longer than one argument may be.
    static func substituteBraced(_ word: String, environment: [String: String]) -> String? {
        var output = ""
        var rest = Substring(word)
        func append<Text: StringProtocol>(_ text: Text) -> Bool {
            guard output.utf8.count + text.utf8.count < maximumArgumentBytes else { return false }
            output += text
            return true
        }
        while let dollar = rest.firstIndex(of: "$") {
            guard append(rest[..<dollar]) else { return nil }
            let after = rest.index(after: dollar)
            if after < rest.endIndex, rest[after] == "$" {
                guard append("$") else { return nil }
                rest = rest[rest.index(after: after)...]
            } else if after < rest.endIndex, rest[after] == "{", let close = rest[after...].firstIndex(of: "}") {
                let body = rest[rest.index(after: after)..<close]
                let value: String
                if let colon = body.firstIndex(of: ":"), body.index(after: colon) < body.endIndex,
                   body[body.index(after: colon)] == "-" || body[body.index(after: colon)] == "+" {
                    let variable = environment[String(body[..<colon])] ?? ""
                    let operand = String(body[body.index(colon, offsetBy: 2)...])
                    if body[body.index(after: colon)] == "-" {
                        value = variable.isEmpty ? operand : variable
                    } else {
                        value = variable.isEmpty ? "" : operand
                    }
                } else {
                    value = environment[String(body)] ?? ""
                }
                guard append(value) else { return nil }
                rest = rest[rest.index(after: close)...]
            } else {
                guard append("$") else { return nil }
                rest = rest[after...]
            }
        }
        guard append(rest) else { return nil }
        return output
    }
}
