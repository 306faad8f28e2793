import CWick
import Glibc
import WickCore
import WickSystem
import WickUnits

/// What the daemon knows that a unit's processes start with, besides the unit itself: the user
/// database, the manager's environment, each start's invocation id, the dynamic users, wick's
/// limits. It gathers `ExecInputs` for `ExecRequest.build` and cleans up after a unit stops
/// (runtime directories, dynamic users).
final class ExecEnvironment {
    /// Read when the first start needs it, not at wick's own start (187,000 instructions).
    private lazy var users: UserRecords = Self.readUsers()
    /// `PATH` and `LANG` for every service (systemd's manager environment).
    let managerEnvironment: [(String, String)]
    /// wick's own environment, the source of `PassEnvironment=`: made into a table when the
    /// first start needs it (wick never changes its environment).
    private lazy var ownEnvironment: [String: String] = Self.readOwnEnvironment()
    private var invocationIDs: [UnitID: (invocation: UInt64, id: String)] = [:]
    private var randomIDs = RandomIDs()
    /// `DynamicUser=yes`: the uid of each unit while it runs (systemd's range 61184-65519).
    private var dynamicUIDs: [UnitID: UInt32] = [:]
    private let hardLimits: [Int32: UInt64]
    private let canRaiseLimits: Bool
    /// Sandboxing (issue 12): where units' trees are assembled, what the system allows, and
    /// whether what it does not allow is skipped (`--sandbox=best-effort`) instead of failing.
    private let sandboxHost: Sandbox.Host?
    private let canUseNamespaces: Bool
    private let canUseSeccomp: Bool
    var sandboxBestEffort = false
    /// `PrivateTmp=`: each unit's directory (holding tmp/ and var-tmp/), removed when it stops.
    private var privateTmp: [UnitID: String] = [:]
    /// `PrivateNetwork=`, `PrivateIPC=`: each unit's namespaces, once a process of it made them
    /// (systemd keeps them in the unit's exec runtime, shared with `JoinsNamespaceOf=` units).
    private var networkNamespaces: [UnitID: Int32] = [:]
    private var ipcNamespaces: [UnitID: Int32] = [:]
    /// `--sandbox=best-effort`: what the last start of each unit left out.
    private(set) var skippedSandbox: [UnitID: [String]] = [:]

    static let dynamicRange: ClosedRange<UInt32> = 61184...65519
    /// `%t`: where `RuntimeDirectory=` and the credentials go (/run as root).
    let runtimeDirectory: String

    /// wick's effective uid: it never changes its own credentials.
    private let managerUID = geteuid()

    init(runtimeDirectory: String) {
        self.runtimeDirectory = runtimeDirectory
        let lang = getenv("LANG").map { String(cString: $0) } ?? Self.localeConfLANG() ?? "C.UTF-8"
        managerEnvironment = [("PATH", SpawnPlan.searchPath), ("LANG", lang)]
        var limits: [Int32: UInt64] = [:]
        limits.reserveCapacity(ExecRequest.resources.count)
        for resource in ExecRequest.resources.values {
            var limit = rlimit()
            if getrlimit(__rlimit_resource_t(UInt32(resource)), &limit) == 0 { limits[resource] = UInt64(limit.rlim_max) }
        }
        hardLimits = limits
        let status = Self.ownStatus()
        canRaiseLimits = Self.hasEffectiveCapability(24, status: status)   // CAP_SYS_RESOURCE
        canUseNamespaces = Self.hasEffectiveCapability(21, status: status)  // CAP_SYS_ADMIN
        canUseSeccomp = Self.field("Seccomp", of: status) != nil
        sandboxHost = Self.prepareSandboxHost(runtimeDirectory: runtimeDirectory)
    }

    /// The user database again (after a reload, or when a name was not found: a package may have
    /// created its user since).
    func reloadUsers() { users = Self.readUsers() }

    /// What every request is made from: the privileges and invocation id of the start, the
    /// manager's environment and `PassEnvironment=`'s source (all a reused request takes:
    /// `ExecRequest.reused`).
    func baseInputs(unit: UnitID, context: ExecContext, privileges: CommandPrivileges, invocationID: String) -> ExecInputs {
        var inputs = ExecInputs(unit: unit.name, context: context, users: users)
        inputs.privileges = privileges
        inputs.managerEnvironment = managerEnvironment
        inputs.passSource = ownEnvironment
        inputs.invocationID = invocationID
        inputs.rootShell = Self.rootShell
        return inputs
    }

    /// systemd's default_root_shell(): its DEFAULT_USER_SHELL (/bin/bash on Debian) where it
    /// exists, else /bin/sh. Looked up once.
    static let rootShell = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh"

    /// The rest of what a request is built from, read or made for this start: users (read again
    /// when `User=` is not found), the dynamic user, the sandbox's host side and namespaces,
    /// `EnvironmentFile=` and credentials.
    func completeInputs(_ inputs: inout ExecInputs, unit: UnitID) {
        let context = inputs.context
        if let name = context.user, !context.dynamicUser, users.user(name) == nil {
            reloadUsers()
            inputs.users = users
        }
        inputs.runtimeDirectory = runtimeDirectory
        inputs.managerUID = managerUID
        inputs.hardLimits = hardLimits
        inputs.canRaiseLimits = canRaiseLimits
        if context.dynamicUser { inputs.dynamicUser = dynamicUser(unit: unit, name: context.user) }
        inputs.canUseNamespaces = canUseNamespaces
        inputs.canUseSeccomp = canUseSeccomp
        inputs.sandboxBestEffort = sandboxBestEffort
        if var host = sandboxHost {
            if context.privateTmp, let directory = privateTmpDirectory(unit) {
                host.privateTmp = Sandbox.PrivateTmp(tmp: directory + "/tmp", varTmp: directory + "/var-tmp")
            }
            inputs.sandboxHost = host
        }
        if !networkNamespaces.isEmpty || !ipcNamespaces.isEmpty {
            let sharing = [unit] + joinedUnits(unit)
            inputs.networkNamespaceFD = sharing.lazy.compactMap { self.networkNamespaces[$0] }.first
            inputs.ipcNamespaceFD = sharing.lazy.compactMap { self.ipcNamespaces[$0] }.first
        }
        inputs.environmentFiles = context.environmentFiles.map { file in
            let bytes = try? FileSystemUnitSource(maximumFileSize: FileSystemUnitSource.systemFileLimit).contents(of: file.path)
            return (file, bytes.map { EnvironmentFileParser.parse($0) })
        }
        for credential in context.loadCredentials {
            let paths = credential.path.hasPrefix("/") ? [credential.path] : ExecRequest.credentialStores.map { $0 + "/" + credential.path }
            let source = FileSystemUnitSource(maximumFileSize: Self.credentialSizeLimit)
            if let contents = paths.lazy.compactMap({ try? source.contents(of: $0) }).first { inputs.loadedCredentials[credential.id] = contents }
        }
    }

    /// systemd's CREDENTIAL_SIZE_MAX: 1 MiB per credential.
    static let credentialSizeLimit = 1 << 20

    /// Writes `$CREDENTIALS_DIRECTORY` afresh: the directory 0500, each file 0400, both owned by
    /// the unit's user (systemd mounts a ramfs there; wick writes to /run, a tmpfs in containers).
    func writeCredentials(_ prepared: PreparedExec, unit: UnitID) -> String? {
        guard let directory = prepared.request.credentialsDirectory else { return nil }
        let request = prepared.request
        unitsWithCredentials.insert(unit)
        _ = FileRemover.removeTree(directory)
        let owner = request.directoryOwner.map { (uid: $0.uid, gid: $0.gid) }
        return CredentialWriter.write(directory: directory, files: request.credentialFiles.map { ($0.id, $0.contents) }, owner: owner)?.description
    }

    /// The units whose credentials directory was written (and is removed at their stop).
    private var unitsWithCredentials: Set<UnitID> = []

    /// `JoinsNamespaceOf=`: the units whose namespaces this one shares (set by the daemon).
    var joinedUnits: (UnitID) -> [UnitID] = { _ in [] }

    /// A unit's process started: keep the network namespace it made, for its other processes and
    /// the units that join it (systemd keeps it in the unit's exec runtime).
    func processStarted(unit: UnitID, pid: Int32, prepared: PreparedExec) {
        let skipped = prepared.request.skippedSandbox, namespaces = prepared.request.sandbox.namespaces
        if !skipped.isEmpty { skippedSandbox[unit] = skipped } else if skippedSandbox[unit] != nil { skippedSandbox[unit] = nil }
        if namespaces.contains(.network), networkNamespaces[unit] == nil {
            let fd = open("/proc/\(pid)/ns/net", O_RDONLY | O_CLOEXEC)
            if fd >= 0 { networkNamespaces[unit] = fd }
        }
        if namespaces.contains(.ipc), ipcNamespaces[unit] == nil {
            let fd = open("/proc/\(pid)/ns/ipc", O_RDONLY | O_CLOEXEC)
            if fd >= 0 { ipcNamespaces[unit] = fd }
        }
    }

    /// `PrivateTmp=`: /tmp/wick-private-UNIT-XXXXXX (0700) with tmp/ and var-tmp/ (01777), made
    /// once per start of the unit (systemd: /tmp/systemd-private-BOOTID-UNIT-XXXXXX).
    private func privateTmpDirectory(_ unit: UnitID) -> String? {
        if let known = privateTmp[unit] { return known }
        // JoinsNamespaceOf=: the /tmp of a running unit it joins.
        if let shared = joinedUnits(unit).lazy.compactMap({ self.privateTmp[$0] }).first {
            privateTmp[unit] = shared
            return shared
        }
        var template = Array("/tmp/wick-private-\(unit.name.filter { $0 != "/" })-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return nil }
        let directory = String(cString: made)
        for inner in ["tmp", "var-tmp"] {
            mkdir(directory + "/" + inner, 0o1777)
            chmod(directory + "/" + inner, 0o1777)
        }
        privateTmp[unit] = directory
        return directory
    }

    /// A fresh 128-bit id per start of a unit, as 32 hex digits (systemd's `INVOCATION_ID`): a
    /// random v4 UUID, as sd_id128_randomize() makes it (`RandomIDs`).
    func invocationID(unit: UnitID, invocation: UInt64) -> String {
        if let known = invocationIDs[unit], known.invocation == invocation { return known.id }
        let id = randomIDs.id128()
        invocationIDs[unit] = (invocation, id)
        return id
    }

    /// Drops what is kept per unit name (an `Accept=yes` instance that ended: one per connection).
    func forget(_ unit: UnitID) {
        invocationIDs[unit] = nil
        if !skippedSandbox.isEmpty { skippedSandbox[unit] = nil }
        if !dynamicUIDs.isEmpty { dynamicUIDs[unit] = nil }
    }

    /// The unit's current invocation id (`wick show InvocationID=`), empty before its first start.
    func currentInvocationID(_ unit: UnitID) -> String { invocationIDs[unit]?.id ?? "" }

    /// `DynamicUser=yes` (systemd's dynamic-user.c): a uid picked from the unit name's hash in
    /// 61184-65519, moving on past uids in /etc/passwd and those of other running units; the user
    /// is named after `User=` or the unit, and its group has the same number.
    private func dynamicUser(unit: UnitID, name: String?) -> UserRecords.User {
        let userName = name ?? String(unit.name.prefix { $0 != "." && $0 != "@" })
        if let uid = dynamicUIDs[unit] { return UserRecords.User(name: userName, uid: uid, gid: uid, home: "/", shell: "/usr/sbin/nologin") }
        let span = UInt32(Self.dynamicRange.count)
        var hash: UInt32 = 2_166_136_261
        for byte in unit.name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let taken = Set(dynamicUIDs.values)
        var uid = Self.dynamicRange.lowerBound + hash % span
        for _ in 0..<span {
            if !taken.contains(uid), !users.users.contains(where: { $0.uid == uid }), !users.groups.contains(where: { $0.gid == uid }) { break }
            uid = uid == Self.dynamicRange.upperBound ? Self.dynamicRange.lowerBound : uid + 1
        }
        dynamicUIDs[unit] = uid
        return UserRecords.User(name: userName, uid: uid, gid: uid, home: "/", shell: "/usr/sbin/nologin")
    }

    /// A unit stopped: its runtime directories go (unless `RuntimeDirectoryPreserve=yes`, or
    /// `restart` while it restarts), and its dynamic user is released.
    func unitStopped(_ unit: UnitID, context: ExecContext, restarting: Bool, log: (String) -> Void) {
        // (Each table is looked at only when it holds anything: this runs for every Accept=yes
        // connection.)
        if !restarting && !dynamicUIDs.isEmpty { dynamicUIDs[unit] = nil }
        // systemd destroys the exec runtime whenever the service goes dead: a fresh /tmp and
        // network namespace for the next start.
        // Shared ones (JoinsNamespaceOf=) go with the last unit that uses them.
        if !privateTmp.isEmpty, let directory = privateTmp.removeValue(forKey: unit), !privateTmp.values.contains(directory),
           let error = FileRemover.removeTree(directory) {
            log("\(unit): cannot remove its private /tmp \(directory): \(error)")
        }
        if !networkNamespaces.isEmpty, let fd = networkNamespaces.removeValue(forKey: unit) { close(fd) }
        if !ipcNamespaces.isEmpty, let fd = ipcNamespaces.removeValue(forKey: unit) { close(fd) }
        // Credentials go whatever RuntimeDirectoryPreserve= says (systemd's
        // unit_destroy_runtime_data() destroys them apart from the runtime directories).
        if !unitsWithCredentials.isEmpty, unitsWithCredentials.contains(unit), !restarting || !context.loadCredentials.isEmpty || !context.setCredentials.isEmpty {
            unitsWithCredentials.remove(unit)
            if let error = FileRemover.removeTree(ExecRequest.credentialsDirectory(unit.name, runtimeDirectory: runtimeDirectory)) { log("\(unit): cannot remove its credentials: \(error)") }
        }
        let keep = context.runtimeDirectoryPreserve == "yes" || (context.runtimeDirectoryPreserve == "restart" && restarting)
        guard !keep else { return }
        for path in ExecRequest.runtimeDirectories(context, runtimeDirectory: runtimeDirectory) {
            if let error = FileRemover.removeTree(path) { log("\(unit): cannot remove RuntimeDirectory \(path): \(error)") }
        }
    }

    /// Whether wick holds capability `number` in its effective set (`CapEff:` of /proc/self/status).
    private static func hasEffectiveCapability(_ number: UInt64, status: [UInt8]) -> Bool {
        guard let hex = field("CapEff", of: status), let mask = UInt64(hex, radix: 16) else { return false }
        return mask & (1 << number) != 0
    }

    /// /proc/self/status, read once for every field start-up needs (empty when unreadable).
    private static func ownStatus() -> [UInt8] {
        (try? FileSystemUnitSource(maximumFileSize: FileSystemUnitSource.systemFileLimit).contents(of: "/proc/self/status")) ?? []
    }

    /// A field of /proc/self/status ("CapEff", "Seccomp"): what follows its last tab, nil when
    /// the line is missing. Byte by byte: the file is ASCII; lines are found in place (splitting
    /// the file into an array of lines for each of three fields cost 160,000 instructions at start).
    static func field(_ name: String, of status: [UInt8]) -> String? {
        let key = Array(name.utf8) + [UInt8(ascii: ":")]
        var start = status.startIndex
        while start < status.endIndex {
            let end = status[start...].firstIndex(of: UInt8(ascii: "\n")) ?? status.endIndex
            let line = status[start..<end]
            if line.starts(with: key) {
                let value = line.lastIndex(of: UInt8(ascii: "\t")).map { line[($0 + 1)...] } ?? line[(line.startIndex + key.count)...]
                return String(decoding: value, as: UTF8.self)
            }
            start = end + 1
        }
        return nil
    }

    /// %t/wick/unit-root (where a unit's tree is assembled in its own mount namespace) and the
    /// 0000 nodes bound over inaccessible paths (systemd's /run/systemd/inaccessible).
    private static func prepareSandboxHost(runtimeDirectory: String) -> Sandbox.Host? {
        let base = runtimeDirectory + "/wick"
        let host = Sandbox.Host(stagingRoot: base + "/unit-root", inaccessibleDirectory: base + "/inaccessible/dir",
                                inaccessibleFile: base + "/inaccessible/reg")
        for directory in [runtimeDirectory, base, host.stagingRoot, base + "/inaccessible"] where mkdir(directory, 0o755) != 0 && errno != EEXIST {
            return nil
        }
        if mkdir(host.inaccessibleDirectory, 0) != 0 && errno != EEXIST { return nil }
        chmod(host.inaccessibleDirectory, 0)
        let fd = open(host.inaccessibleFile, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0)
        guard fd >= 0 else { return nil }
        fchmod(fd, 0)
        close(fd)
        return host
    }

    private static func readOwnEnvironment() -> [String: String] {
        var own: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            // Searched as a byte: a Character search costs a grapheme break per character.
            if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
                own[String(text[..<equals])] = String(text[text.utf8.index(after: equals)...])
            }
            pointer += 1
        }
        return own
    }

    private static func readUsers() -> UserRecords {
        let source = FileSystemUnitSource(maximumFileSize: FileSystemUnitSource.systemFileLimit)
        let passwd = (try? source.contents(of: "/etc/passwd")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let group = (try? source.contents(of: "/etc/group")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return UserRecords(passwd: passwd, group: group)
    }

    /// `LANG=` of /etc/locale.conf (systemd's manager reads it for services).
    private static func localeConfLANG() -> String? {
        guard let bytes = try? FileSystemUnitSource(maximumFileSize: FileSystemUnitSource.systemFileLimit).contents(of: "/etc/locale.conf") else { return nil }
        return EnvironmentFileParser.parse(bytes).last { $0.0 == "LANG" }?.1
    }
}
