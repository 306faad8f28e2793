import WickControl
import WickCore
import WickUnits

#if canImport(Glibc)
import Glibc
#endif

/// The parsers that take input from outside the daemon, each behind one name. Every target must
/// return for any bytes: a trap is a finding (docs/reliability.md).
enum FuzzTarget: String, CaseIterable {
    /// A unit file: lexer, directive table, specifiers, validation, and the execution request
    /// a start of it builds (sandbox plan, seccomp rules, limits, environment).
    case unitFile = "unit-file"
    /// One control request line: the JSON parser and the request decoder.
    case controlRequest = "control-request"
    /// One sd_notify(3) datagram, parsed and applied to running notify services.
    case notify
    /// `EnvironmentFile=` contents.
    case environmentFile = "environment-file"
    /// An `ExecStart=` value: word splitting, quoting, escapes, prefixes, `;` groups.
    case commandLine = "command-line"

    static let users = UserRecords(passwd: "root:x:0:0:root:/root:/bin/sh\nweb:x:1000:1000::/srv:/bin/sh\n", group: "root:x:0:\nweb:x:1000:\n")

    func run(_ bytes: [UInt8]) {
        switch self {
        case .unitFile:
            guard let name = try? UnitName("fuzz.service") else { return }
            let unit = UnitBuilder.build(name: name, fragment: UnitSourceFile(path: "/fuzz/fuzz.service", bytes: bytes))
            _ = unit.diagnostics.map(\.description)
            // What the daemon computes from the settings when the unit starts: pure, no fork.
            var inputs = ExecInputs(unit: name.name, context: unit.settings.service.exec, users: Self.users)
            inputs.sandboxHost = Sandbox.Host(stagingRoot: "/S", inaccessibleDirectory: "/I/dir", inaccessibleFile: "/I/reg")
            _ = ExecRequest.build(inputs)
        case .controlRequest:
            let line = String(decoding: bytes, as: UTF8.self)
            if let json = try? JSONValue.parse(line), let request = try? ControlRequest(json) {
                _ = request.line
            }
        case .notify:
            NotifyHarness.apply(NotifyMessage.parse(bytes))
        case .environmentFile:
            _ = EnvironmentFileParser.parse(bytes)
        case .commandLine:
            let text = String(decoding: bytes, as: UTF8.self)
            for command in (try? ExecCommand.parse(text)) ?? [] {
                _ = command.expandedArguments(environment: ["A": "a", "LISTEN_FDS": "1"])
            }
        }
    }
}

/// A notify message reaches a `Type=notify` service in start and in running state, at an instant
/// near the end of the clock, with a process table that accepts any pid.
enum NotifyHarness {
    struct Processes: ProcessPort {
        var next: Int32 = 100
        mutating func spawn(_ request: SpawnRequest) -> Result<Int32, SpawnError> {
            next &+= 1
            return .success(next)
        }
        mutating func kill(pid: Int32, signal: Int32, group: Bool, unit: UnitID) -> Bool { true }
        mutating func adoptMainPID(unit: UnitID, pidFile: String?) -> Int32? { nil }
        mutating func movedMainPID(unit: UnitID, pidFile: String, from old: Int32) -> Int32? { nil }
        mutating func claimMainPID(_ pid: Int32, unit: UnitID) -> Bool { true }
        mutating func watchExit(of pid: Int32, unit: UnitID) -> Bool { true }
        mutating func remains(group: Int32?, unit: UnitID) -> Bool { false }
        mutating func signalControlGroup(unit: UnitID, signal: Int32) -> Bool { false }
    }

    static func apply(_ message: NotifyMessage) {
        guard let name = try? UnitName("n.service") else { return }
        let text = "[Service]\nType=notify\nNotifyAccess=all\nExecStart=/bin/n\nWatchdogSec=5\nTimeoutStartSec=infinity\n"
        let unit = UnitBuilder.build(name: name, fragment: UnitSourceFile(path: "/n.service", text: text))
        for start in [Instant(nanoseconds: 0), Instant(nanoseconds: .max - 1_000)] {
            var processes = Processes()
            var machine = ServiceMachine(name: UnitID(name.name), settings: unit.settings.service, unit: unit.settings.unit)
            _ = machine.start(now: start, processes: &processes)
            _ = machine.notify(message, now: start, processes: &processes)
            var ready = NotifyMessage()
            ready.ready = true
            _ = machine.notify(ready, now: start, processes: &processes)
            _ = machine.notify(message, now: start, processes: &processes)
            if let deadline = machine.deadline { _ = machine.timerFired(now: deadline, processes: &processes) }
        }
    }
}

/// libFuzzer's entry point (`make fuzz`): the target is named by `WICK_FUZZ_TARGET`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, let name = getenv("WICK_FUZZ_TARGET"), let target = FuzzTarget(rawValue: String(cString: name)) else { return 0 }
    target.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
