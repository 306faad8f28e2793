import WickCore
import WickUnits

/// A process table for tests: spawns hand out pids, commands listed in `failing` cannot exec,
/// kills are recorded; exits are fed to the machine by the test.
struct FakeProcessTable: ProcessPort {
    var nextPID: Int32 = 100
    var running: [Int32: (unit: UnitID, path: String, role: ProcessRole)] = [:]
    var spawned: [(pid: Int32, path: String, role: ProcessRole)] = []
    var kills: [(pid: Int32, signal: Int32, group: Bool)] = []
    var failing: Set<String> = []
    var failingForResources: Set<String> = []
    var requests: [SpawnRequest] = []

    mutating func spawn(_ request: SpawnRequest) -> Result<Int32, SpawnError> {
        let (unit, command, role) = (request.unit, request.command, request.role)
        requests.append(request)
        if failingForResources.contains(command.path) {
            // Could not be forked (EAGAIN): no process, the start fails with `resources`.
            return .failure(SpawnError(message: "fork failed", outOfResources: true))
        }
        if failing.contains(command.path) {
            // The child was cloned and could not exec (it exits 203 and is reaped unseen).
            return .failure(SpawnError(message: "exec failed: \(command.path): No such file or directory", pid: 99_999))
        }
        nextPID += 1
        running[nextPID] = (unit, command.path, role)
        spawned.append((nextPID, command.path, role))
        return .success(nextPID)
    }

    /// SIGCONT, which follows each stop signal (unit_kill_context()), is recorded apart.
    var continued: [(pid: Int32, group: Bool)] = []

    mutating func kill(pid: Int32, signal: Int32, group: Bool, unit: UnitID) -> Bool {
        if signal == 18 { continued.append((pid, group)) } else { kills.append((pid, signal, group)) }
        return running[pid] != nil
    }

    var pidFiles: [String: Int32] = [:]
    /// Main pids that are gone without an exit the machine saw (`watchExit` says so).
    var gone: Set<Int32> = []

    mutating func watchExit(of pid: Int32, unit: UnitID) -> Bool { !gone.contains(pid) }

    /// Process groups with processes left in them after their leader (`remains`), and whether
    /// the unit's cgroup holds some (0 in `kills` stands for it).
    var leftovers: Set<Int32> = []
    var cgroupLeftovers = false
    mutating func remains(group: Int32?, unit: UnitID) -> Bool { group.map { leftovers.contains($0) } == true || cgroupLeftovers }
    mutating func signalControlGroup(unit: UnitID, signal: Int32) -> Bool {
        kills.append((0, signal, true))
        return cgroupLeftovers
    }

    mutating func adoptMainPID(unit: UnitID, pidFile: String?) -> Int32? {
        guard let pidFile, let pid = pidFiles[pidFile] else { return nil }
        running[pid] = (unit, pidFile, .main)
        return pid
    }

    mutating func movedMainPID(unit: UnitID, pidFile: String, from old: Int32) -> Int32? {
        guard let pid = pidFiles[pidFile], pid != old else { return nil }
        running[pid] = (unit, pidFile, .main)
        return pid
    }

    /// Pids `claimMainPID` accepts (the real port checks /proc and its pid table).
    var claimable: Set<Int32> = []
    var claims: [(pid: Int32, unit: UnitID)] = []

    mutating func claimMainPID(_ pid: Int32, unit: UnitID) -> Bool {
        claims.append((pid, unit))
        return claimable.contains(pid)
    }

    var lastPID: Int32 { spawned.last!.pid }
}

func service(_ text: String) -> (ServiceSection, UnitSection) {
    let unit = UnitBuilder.build(name: try! UnitName("t.service"), fragment: UnitSourceFile(path: "/t.service", text: text))
    precondition(unit.loadState == .loaded, "\(unit.diagnostics)")
    return (unit.settings.service, unit.settings.unit)
}

func machine(_ text: String) -> ServiceMachine {
    let (settings, unit) = service(text)
    return ServiceMachine(name: "t.service", settings: settings, unit: unit)
}
