/// How far wick honours a directive it parses.
public enum DirectiveSupport: Sendable, Equatable {
    /// wick implements the systemd behaviour.
    case supported
    /// Parsed and typed, but wick does not act on it: `wick verify` warns with this explanation
    /// of what is NOT enforced.
    case notEnforced(String)
}

/// One known directive of a section: how its value is parsed into `UnitSettings` and how far
/// wick supports it.
typealias Directive = Field<UnitSettings>

/// How a directive's value is parsed into a part of the settings (`Root`: `UnitSettings`, or the
/// `ExecContext`, `KillContext` and `ResourceControl` that `[Service]` and `[Socket]` share,
/// whose fields are `lifted` into each section). Not `Sendable` because key paths are not; the
/// tables that hold fields (or, for the large tables, the functions that make one) are built
/// once, never mutated, and capture only immutable key paths, so they are shared as
/// `nonisolated(unsafe)` constants.
///
/// The `[Unit]`, `[Install]`, exec, kill and resource tables hold makers (`() -> Field`), called
/// for the one key an assignment uses: a field holds a key path, and making the key path of
/// every known directive (with the metadata of each `WritableKeyPath<Root, Value>` class) when
/// the first unit was read cost 561,000 instructions at every start of the daemon, for the few
/// directives a unit uses (docs/performance.md, fifth session). `[Socket]` and `[Service]` keep their fields, made once:
/// their keys are the ones every such unit uses (a socket with 1,000 `ListenStream=` lines).
struct Field<Root> {
    typealias Apply = (inout Root, String, SpecifierResolver) throws(ValueError) -> Void

    var support: DirectiveSupport
    var apply: Apply

    init(_ support: DirectiveSupport = .supported, apply: @escaping Apply) {
        self.support = support
        self.apply = apply
    }

    func with(_ support: DirectiveSupport) -> Field {
        Field(support, apply: apply)
    }

    /// A systemd 252 directive wick reads and ignores: any words, and a warning that says so
    /// (not "unknown").
    static var unsupported: Field {
        Field(NotEnforced.unsupported) { _, _, _ throws(ValueError) in }
    }

    /// The field applied to the part of `Outer` at `root` (one key path for a whole table, not
    /// one appended per directive: appending cost 22,000 instructions each at start-up).
    func lifted<Outer>(_ root: WritableKeyPath<Outer, Root>) -> Field<Outer> {
        let apply = self.apply
        return Field<Outer>(support) { outer, value, resolver throws(ValueError) in try apply(&outer[keyPath: root], value, resolver) }
    }

    /// The same for a part behind shared storage (`ExecContext`): taken out of `Outer` while the
    /// field writes it, `placeholder` in its place, so that it is the storage's only owner and
    /// is written in place. (Through a key path a computed part is read and written back whole:
    /// its storage was shared with the copy read, and each assignment copied all of it, the
    /// lists with it: 20,000 `Environment=` lines took seconds.)
    func lifted<Outer>(_ root: WritableKeyPath<Outer, Root>, placeholder: Root) -> Field<Outer> {
        let apply = self.apply
        return Field<Outer>(support) { outer, value, resolver throws(ValueError) in
            var part = outer[keyPath: root]
            outer[keyPath: root] = placeholder
            defer { outer[keyPath: root] = part }
            try apply(&part, value, resolver)
        }
    }

    /// `elements` appended to the list at `keyPath`, in place: the list is taken out (an empty
    /// one in its place) so that its storage has one owner, then written back. Appended through
    /// the key path, each append copied the list (40,000 `Requires=` names took 4 s to load).
    static func append<Element>(_ elements: [Element], to settings: inout Root, at keyPath: WritableKeyPath<Root, [Element]>) {
        var list = settings[keyPath: keyPath]
        settings[keyPath: keyPath] = []
        list.append(contentsOf: elements)
        settings[keyPath: keyPath] = list
    }
}

/// Builders for the common value types. String values get `%` specifiers expanded, as systemd's
/// `unit_full_printf()` does for them; typed scalars (booleans, times, numbers) do not.
extension Field {
    typealias Path<Value> = WritableKeyPath<Root, Value>

    static func text(_ keyPath: Path<String>) -> Field {
        Field { settings, value, resolver throws(ValueError) in settings[keyPath: keyPath] = try resolver.expand(value) }
    }

    /// A string; the empty assignment resets it to `nil`.
    static func optionalText(_ keyPath: Path<String?>) -> Field {
        Field { settings, value, resolver throws(ValueError) in
            settings[keyPath: keyPath] = value.isEmpty ? nil : try resolver.expand(value)
        }
    }

    /// An absolute, normalized path; the empty assignment resets it.
    static func path(_ keyPath: Path<String?>) -> Field {
        Field { settings, value, resolver throws(ValueError) in
            settings[keyPath: keyPath] = value.isEmpty ? nil : try ListenSpec.absolutePath(try resolver.expand(value))
        }
    }

    static func boolean(_ keyPath: Path<Bool>) -> Field {
        Field { settings, value, _ throws(ValueError) in settings[keyPath: keyPath] = try Boolean.parse(value) }
    }

    static func time(_ keyPath: Path<TimeSpan>) -> Field {
        Field { settings, value, _ throws(ValueError) in settings[keyPath: keyPath] = try TimeSpan.parse(value) }
    }

    /// systemd's `parse_sec_fix_0()`, for the service timeouts: `0` means no timeout (infinity).
    static func timeout(_ keyPath: Path<TimeSpan?>) -> Field {
        Field { settings, value, _ throws(ValueError) in
            settings[keyPath: keyPath] = value.isEmpty ? nil : try TimeSpan.parseTimeout(value)
        }
    }

    static func timeout(_ keyPath: Path<TimeSpan>) -> Field {
        Field { settings, value, _ throws(ValueError) in settings[keyPath: keyPath] = try TimeSpan.parseTimeout(value) }
    }

    static func optionalTime(_ keyPath: Path<TimeSpan?>) -> Field {
        Field { settings, value, _ throws(ValueError) in
            settings[keyPath: keyPath] = value.isEmpty ? nil : try TimeSpan.parse(value)
        }
    }

    static func count(_ keyPath: Path<UInt32>) -> Field {
        Field { settings, value, _ throws(ValueError) in
            guard let number = UInt32(value) else { throw .expected("a non-negative number", got: value) }
            settings[keyPath: keyPath] = number
        }
    }

    static func optionalCount(_ keyPath: Path<UInt32?>) -> Field {
        Field { settings, value, _ throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = nil; return }
            guard let number = UInt32(value) else { throw .expected("a non-negative number", got: value) }
            settings[keyPath: keyPath] = number
        }
    }

    /// A number in `range`, or one of `names` (systemd's string tables with a numeric fallback).
    static func integer(_ keyPath: Path<Int32?>, in range: ClosedRange<Int32>, names: KeyValuePairs<String, Int32> = [:]) -> Field {
        Field { settings, value, _ throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = nil; return }
            if let named = names.first(where: { $0.key == value }) { settings[keyPath: keyPath] = named.value; return }
            guard let number = Int32(value), range.contains(number) else {
                let alternatives = names.isEmpty ? "" : " or one of " + names.map(\.key).joined(separator: ", ")
                throw .expected("a number from \(range.lowerBound) to \(range.upperBound)\(alternatives)", got: value)
            }
            settings[keyPath: keyPath] = number
        }
    }

    static func size(_ keyPath: Path<UInt64?>) -> Field {
        Field { settings, value, _ throws(ValueError) in
            settings[keyPath: keyPath] = value.isEmpty ? nil : try ByteSize.parse(value)
        }
    }

    static func mode(_ keyPath: Path<UInt32>) -> Field {
        Field { settings, value, _ throws(ValueError) in settings[keyPath: keyPath] = try FileMode.parse(value) }
    }

    static func signal(_ keyPath: Path<Signal>) -> Field {
        Field { settings, value, _ throws(ValueError) in settings[keyPath: keyPath] = try Signal.parse(value) }
    }

    static func optionalSignal(_ keyPath: Path<Signal?>) -> Field {
        Field { settings, value, _ throws(ValueError) in
            settings[keyPath: keyPath] = value.isEmpty ? nil : try Signal.parse(value)
        }
    }

    /// Accumulates exit statuses; the empty assignment resets the set.
    static func exitStatuses(_ keyPath: Path<ExitStatusSet>) -> Field {
        Field { settings, value, _ throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = ExitStatusSet(); return }
            try settings[keyPath: keyPath].add(value)
        }
    }

    /// One of the raw values of `E` (systemd's string tables).
    static func choice<E: RawRepresentable & CaseIterable & Sendable>(_ keyPath: Path<E>) -> Field where E.RawValue == String {
        Field { settings, value, _ throws(ValueError) in
            guard let choice = E(rawValue: value) else {
                throw .expected("one of \(E.allCases.map { $0.rawValue }.joined(separator: ", "))", got: value)
            }
            settings[keyPath: keyPath] = choice
        }
    }

    /// One of the raw values of `E`, its `aliases`, or a boolean mapped to `yes`/`no`: systemd's
    /// enum parsers that fall back to parse_boolean() (`BindIPv6Only=yes` is `ipv6-only`,
    /// `Timestamping=yes` is `ns`).
    static func choice<E: RawRepresentable & CaseIterable & Sendable>(
        _ keyPath: Path<E>, aliases: [String: E] = [:], yes: E, no: E
    ) -> Field where E.RawValue == String {
        Field { settings, value, _ throws(ValueError) in
            if let choice = E(rawValue: value) ?? aliases[value] {
                settings[keyPath: keyPath] = choice
            } else if let flag = try? Boolean.parse(value) {
                settings[keyPath: keyPath] = flag ? yes : no
            } else {
                throw .expected("one of \(E.allCases.map { $0.rawValue }.joined(separator: ", ")) or a boolean", got: value)
            }
        }
    }

    static func optionalChoice<E: RawRepresentable & CaseIterable & Sendable>(_ keyPath: Path<E?>) -> Field where E.RawValue == String {
        Field { settings, value, _ throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = nil; return }
            guard let choice = E(rawValue: value) else {
                throw .expected("one of \(E.allCases.map { $0.rawValue }.joined(separator: ", "))", got: value)
            }
            settings[keyPath: keyPath] = choice
        }
    }

    /// A string from a fixed set of words, kept as written.
    static func word(_ keyPath: Path<String>, _ allowed: [String]) -> Field {
        Field { settings, value, _ throws(ValueError) in
            guard allowed.contains(value) else {
                throw .expected("one of \(allowed.joined(separator: ", "))", got: value)
            }
            settings[keyPath: keyPath] = value
        }
    }

    /// One of `allowed`, or a boolean stored as `yes` or `no`: systemd's string tables
    /// `DEFINE_STRING_TABLE_LOOKUP_WITH_BOOLEAN` (`ProtectSystem=on` is `yes`, `false` is `no`).
    static func wordOrBoolean(_ keyPath: Path<String>, _ allowed: [String]) -> Field {
        Field { settings, value, _ throws(ValueError) in
            if let flag = try? Boolean.parse(value) {
                settings[keyPath: keyPath] = flag ? "yes" : "no"
            } else if allowed.contains(value) {
                settings[keyPath: keyPath] = value
            } else {
                throw .expected("one of \(allowed.joined(separator: ", ")) or a boolean", got: value)
            }
        }
    }

    /// `StartLimitAction=`, `FailureAction=`, `SuccessAction=`: one of systemd 252's emergency
    /// actions (emergency-action.c); the empty assignment is `none`.
    static func emergencyAction(_ keyPath: Path<String>) -> Field {
        let actions = ["none", "reboot", "reboot-force", "reboot-immediate", "poweroff", "poweroff-force",
                       "poweroff-immediate", "exit", "exit-force"]
        return Field { settings, value, _ throws(ValueError) in
            guard value.isEmpty || actions.contains(value) else {
                throw .expected("one of \(actions.joined(separator: ", "))", got: value)
            }
            settings[keyPath: keyPath] = value.isEmpty ? "none" : value
        }
    }

    /// Whitespace-separated words (quotes allowed) appended to a list; the empty assignment
    /// resets it. `validate` checks each word after specifier expansion.
    static func words(
        _ keyPath: Path<[String]>, validate: @escaping (String) throws(ValueError) -> String = { $0 }
    ) -> Field {
        Field { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            var words: [String] = []
            for word in try WordSplitter.split(value) { words.append(try validate(try resolver.expand(word.text))) }
            append(words, to: &settings, at: keyPath)
        }
    }

    /// A list of unit names (dependencies, `Alias=`, `Also=`, `Sockets=`).
    static func unitNames(_ keyPath: Path<[String]>) -> Field {
        words(keyPath) { name throws(ValueError) in _ = try UnitName(name); return name }
    }

    /// A list of absolute paths; `-` (ignore if missing) and `+` (relative to the root directory)
    /// prefixes are kept, as systemd.exec(5) allows them on `ReadWritePaths=` and friends.
    static func paths(_ keyPath: Path<[String]>) -> Field {
        words(keyPath) { path throws(ValueError) in
            let bare = path.drop { $0 == "-" || $0 == "+" }
            _ = try ListenSpec.absolutePath(String(bare))
            return path
        }
    }

    /// A command line: the empty assignment resets the list (systemd.service(5)).
    static func exec(_ keyPath: Path<[ExecCommand]>) -> Field {
        Field { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            append(try ExecCommand.parse(value, expand: resolver.expand), to: &settings, at: keyPath)
        }
    }
}
