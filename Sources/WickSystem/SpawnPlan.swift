import CWick
import Glibc
import WickCore
import WickUnits

/// A command ready to run many times: path, argv and the base environment copied once into C
/// memory, so that each spawn only adds the per-activation variables (the fd placement and
/// `LISTEN_PID` are done by the C child, `cwick_spawn`).
public final class SpawnPlan {
    /// systemd's fixed search path for executables given without a slash (systemd.service(5)).
    public static let searchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Raises wick's soft open-files limit to the hard one (systemd does the same for itself), so
    /// that thousands of listeners fit; children spawned afterwards get the original soft limit.
    public static func raiseOpenFilesLimit() {
        _ = cwick_raise_open_files_limit()
    }

    public let path: String
    public let arguments: [String]
    /// Every string of the plan (path, search path, arguments, environment) in one allocation:
    /// `strdup(String)` made two allocations a string, 5,400 instructions a connection for an
    /// `Accept=yes` instance (docs/performance.md).
    private let strings: CStringBlock
    private let cPath: UnsafeMutablePointer<CChar>
    private let cSearchPath: UnsafeMutablePointer<CChar>
    private let argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let baseEnvironment: ArraySlice<UnsafeMutablePointer<CChar>>

    /// `searchPath`: where a path without '/' is looked up (`wick activate`: the caller's
    /// `PATH`, as systemd-socket-activate's execvpe()).
    public convenience init(path: String, arguments: [String], environment: [String], searchPath: String = SpawnPlan.searchPath) {
        self.init(path: path, arguments: arguments, environment: environment, variables: [], searchPath: searchPath)
    }

    /// The environment as variables (an `ExecRequest`'s), each written as `NAME=value`.
    public convenience init(path: String, arguments: [String], variables: [EnvironmentVariable]) {
        self.init(path: path, arguments: arguments, environment: [], variables: variables, searchPath: Self.searchPath)
    }

    private init(path: String, arguments: [String], environment: [String], variables: [EnvironmentVariable], searchPath: String) {
        self.path = path
        self.arguments = arguments
        strings = CStringBlock([path, searchPath] + arguments + environment, variables: variables)
        cPath = strings.pointers[0]
        cSearchPath = strings.pointers[1]
        argv = .allocate(capacity: arguments.count + 1)
        for index in arguments.indices { argv[index] = strings.pointers[2 + index] }
        argv[arguments.count] = nil
        baseEnvironment = strings.pointers[(2 + arguments.count)...]
    }

    deinit {
        argv.deallocate()
        strings.deallocate()
    }

    /// Where the child's standard streams come from: an fd, or /dev/null.
    public enum Stream {
        case null
        case fd(Int32)

        var raw: Int32 {
            switch self {
            case .null: return Int32(CWICK_DEV_NULL)
            case .fd(let fd): return fd
            }
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        /// The child that failed to exec (already exited, to be reaped), or nil when fork failed.
        public var pid: Int32?
        public var error: SystemError
        /// The systemd exit status of the step that failed in the child (203 for the exec).
        public var status: Int32
        public var description: String { error.description }
    }

    /// Starts the command with `fds` at 3, 4, ... and `extraEnvironment` after the base
    /// environment, whose variables at the slots of `replacing` are replaced by theirs (another
    /// start's `INVOCATION_ID`, `REMOTE_ADDR` ...: `ExecRequest.startVariables(_:)`);
    /// `setListenPID` adds `LISTEN_PID=` with the child's own pid. `nonBlocking` applies to the
    /// first `socketCount` fds (all when nil), as systemd's flag_fds() to the sockets only. With
    /// a `context`, the child applies it, in `controlGroup` when there is one. `deathSignal`: the
    /// signal the child gets when wick dies (0: none).
    public func spawn(
        fds: [Int32] = [], socketCount: Int? = nil, stdin: Stream = .null, stdout: Stream = .fd(1), stderr: Stream = .fd(2),
        extraEnvironment: [String] = [], replacing: [(slot: Int, variable: EnvironmentVariable)] = [], setListenPID: Bool = false,
        setWatchdogPID: Bool = false, setExecPID: Bool = false, nonBlocking: Bool? = nil, newSession: Bool = true, deathSignal: Int32 = 0,
        context: ContextPlan? = nil, controlGroup: ContextPlan.ControlGroup? = nil
    ) -> Result<Int32, Failure> {
        var pid: pid_t = -1
        var status: Int32 = SetupStatus.exec
        let error = withPlan(fds: fds, socketCount: socketCount ?? fds.count, stdin: stdin, stdout: stdout, stderr: stderr,
                             extraEnvironment: extraEnvironment, replacing: replacing, setListenPID: setListenPID, setWatchdogPID: setWatchdogPID,
                             setExecPID: setExecPID, nonBlocking: nonBlocking, newSession: newSession, deathSignal: deathSignal,
                             context: context, controlGroup: controlGroup) { cwick_spawn(&$0, &pid, &status) }
        if error != 0 {
            let step = status == SetupStatus.exec ? "exec \(path)" : "set up \(path) (\(SetupStatus.describe(status)))"
            return .failure(Failure(pid: pid > 0 ? pid : nil, error: SystemError(pid > 0 ? step : "fork", code: error), status: status))
        }
        return .success(pid)
    }

    /// Replaces the current process with the command (systemd-socket-activate's exec_process()):
    /// the same fd placement and environment as `spawn`, `LISTEN_PID=` this process's pid. Returns
    /// only when the exec failed.
    public func exec(
        fds: [Int32] = [], stdin: Stream = .null, stdout: Stream = .fd(1), extraEnvironment: [String] = [], setListenPID: Bool = false
    ) -> SystemError {
        let error = withPlan(fds: fds, socketCount: fds.count, stdin: stdin, stdout: stdout, stderr: .fd(2), extraEnvironment: extraEnvironment,
                             replacing: [], setListenPID: setListenPID, setWatchdogPID: false, setExecPID: false, nonBlocking: nil, newSession: false,
                             deathSignal: 0, context: nil, controlGroup: nil) { cwick_exec(&$0) }
        return SystemError("exec \(path)", code: error)
    }

    private func withPlan(
        fds: [Int32], socketCount: Int, stdin: Stream, stdout: Stream, stderr: Stream, extraEnvironment: [String],
        replacing: [(slot: Int, variable: EnvironmentVariable)], setListenPID: Bool, setWatchdogPID: Bool, setExecPID: Bool, nonBlocking: Bool?,
        newSession: Bool, deathSignal: Int32, context: ContextPlan?, controlGroup: ContextPlan.ControlGroup?, _ body: (inout cwick_spawn_plan) -> Int32
    ) -> Int32 {
        // The extras' strings, then the replacements'.
        let extraStrings = CStringBlock(extraEnvironment, variables: replacing.map(\.variable))
        defer { extraStrings.deallocate() }
        let extras = extraStrings.pointers[..<extraEnvironment.count]
        let base = baseEnvironment.count
        let envp = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: base + extras.count + 1)
        defer { envp.deallocate() }
        for (index, pointer) in baseEnvironment.enumerated() { envp[index] = pointer }
        for (index, replacement) in replacing.enumerated() where replacement.slot >= 0 && replacement.slot < base {
            envp[replacement.slot] = extraStrings.pointers[extras.count + index]
        }
        for (index, pointer) in extras.enumerated() { envp[base + index] = pointer }
        envp[base + extras.count] = nil
        return fds.withUnsafeBufferPointer { fdBuffer in
            var plan = cwick_spawn_plan(
                path: cPath, argv: argv, envp: envp, set_listen_pid: setListenPID ? 1 : 0, set_watchdog_pid: setWatchdogPID ? 1 : 0,
                set_exec_pid: setExecPID ? 1 : 0,
                nonblocking: nonBlocking.map { $0 ? 1 : 0 } ?? -1, socket_fd_count: Int32(clamping: socketCount),
                fds: fdBuffer.baseAddress, fd_count: Int32(fds.count),
                stdin_fd: stdin.raw, stdout_fd: stdout.raw, stderr_fd: stderr.raw,
                new_session: newSession ? 1 : 0, death_signal: deathSignal, parent: deathSignal == 0 ? 0 : getpid(),
                search_path: cSearchPath, context: nil)
            guard let context else { return body(&plan) }
            return context.with(controlGroup: controlGroup) { pointer in
                plan.context = pointer
                return body(&plan)
            }
        }
    }
}

/// Strings copied into one allocation, each followed by a NUL (a NUL inside one ends it for C,
/// as with `strdup`), then the variables as `NAME=value`, and where each starts.
struct CStringBlock {
    let base: UnsafeMutablePointer<CChar>
    let pointers: [UnsafeMutablePointer<CChar>]

    init(_ strings: [String], variables: [EnvironmentVariable] = []) {
        var total = 0
        for string in strings { total += string.utf8.count + 1 }
        for variable in variables { total += variable.name.utf8.count + variable.value.utf8.count + 2 }
        let base = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
        var pointers: [UnsafeMutablePointer<CChar>] = []
        pointers.reserveCapacity(strings.count + variables.count)
        var offset = 0
        func append(_ string: String) {
            let copied = string.utf8.withContiguousStorageIfAvailable { bytes in
                if let source = bytes.baseAddress {
                    UnsafeMutableRawPointer(base + offset).copyMemory(from: source, byteCount: bytes.count)
                }
                return bytes.count
            }
            if let copied {
                offset += copied
            } else {
                for byte in string.utf8 {
                    base[offset] = CChar(bitPattern: byte)
                    offset += 1
                }
            }
        }
        for string in strings {
            pointers.append(base + offset)
            append(string)
            base[offset] = 0
            offset += 1
        }
        for variable in variables {
            pointers.append(base + offset)
            append(variable.name)
            base[offset] = CChar(UInt8(ascii: "="))
            offset += 1
            append(variable.value)
            base[offset] = 0
            offset += 1
        }
        self.base = base
        self.pointers = pointers
    }

    func deallocate() { base.deallocate() }
}
