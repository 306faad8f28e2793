import Glibc
import WickCore
import WickSystem
import WickUnits

/// What the daemon knows that a unit's processes start with, besides the unit itself: the user
/// database, the manager's environment, each start's invocation id, the dynamic users, wick's
/// limits. It gathers `ExecInputs` for `ExecRequest.build` and cleans up after a unit stops
/// (runtime directories, dynamic users).
final class ExecEnvironment {
    private var users: UserRecords
    /// `PATH` and `LANG` for every service (systemd's manager environment).
    let managerEnvironment: [(String, String)]
    private let ownEnvironment: [String: String]
    private var invocationIDs: [String: (invocation: UInt64, id: String)] = [:]
    /// `DynamicUser=yes`: the uid of each unit while it runs (systemd's range 61184-65519).
    private var dynamicUIDs: [String: UInt32] = [:]
    private let hardLimits: [Int32: UInt64]
    private let canRaiseLimits: Bool

    static let dynamicRange: ClosedRange<UInt32> = 61184...65519
    /// `%t`: where `RuntimeDirectory=` and the credentials go (/run as root).
    let runtimeDirectory: String

    init(runtimeDirectory: String) {
        self.runtimeDirectory = runtimeDirectory
        users = Self.readUsers()
        var own: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") { own[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            pointer += 1
        }
        ownEnvironment = own
        let lang = own["LANG"] ?? Self.localeConfLANG() ?? "C.UTF-8"
        managerEnvironment = [("PATH", SpawnPlan.searchPath), ("LANG", lang)]
        var limits: [Int32: UInt64] = [:]
        for resource in ExecRequest.resources.values {
            var limit = rlimit()
            if getrlimit(__rlimit_resource_t(UInt32(resource)), &limit) == 0 { limits[resource] = UInt64(limit.rlim_max) }
        }
        hardLimits = limits
        canRaiseLimits = Self.hasEffectiveCapability(24)   // CAP_SYS_RESOURCE
    }

    /// The user database again (after a reload, or when a name was not found: a package may have
    /// created its user since).
    func reloadUsers() { users = Self.readUsers() }

    func inputs(unit: String, context: ExecContext, request: SpawnRequest, permissionsStartOnly: Bool) -> ExecInputs {
        if let name = context.user, !context.dynamicUser, users.user(name) == nil { reloadUsers() }
        var inputs = ExecInputs(unit: unit, context: context, users: users)
        inputs.runtimeDirectory = runtimeDirectory
        inputs.privileges = CommandPrivileges.of(request.command.flags, role: request.role, permissionsStartOnly: permissionsStartOnly)
        inputs.managerUID = geteuid()
        inputs.managerEnvironment = managerEnvironment
        inputs.passSource = ownEnvironment
        inputs.invocationID = invocationID(unit: unit, invocation: request.invocation)
        inputs.hardLimits = hardLimits
        inputs.canRaiseLimits = canRaiseLimits
        if context.dynamicUser { inputs.dynamicUser = dynamicUser(unit: unit, name: context.user) }
        inputs.environmentFiles = context.environmentFiles.map { file in
            let bytes = try? FileSystemUnitSource(maximumFileSize: FileSystemUnitSource.systemFileLimit).contents(of: file.path)
            return (file, bytes.map { EnvironmentFileParser.parse($0) })
        }
        for credential in context.loadCredentials {
            let paths = credential.path.hasPrefix("/") ? [credential.path] : ExecRequest.credentialStores.map { $0 + "/" + credential.path }
            let source = FileSystemUnitSource(maximumFileSize: Self.credentialSizeLimit)
            if let contents = paths.lazy.compactMap({ try? source.contents(of: $0) }).first { inputs.loadedCredentials[credential.id] = contents }
        }
        return inputs
    }

    /// systemd's CREDENTIAL_SIZE_MAX: 1 MiB per credential.
    static let credentialSizeLimit = 1 << 20

    /// Writes `$CREDENTIALS_DIRECTORY` afresh: the directory 0500, each file 0400, both owned by
    /// the unit's user (systemd mounts a ramfs there; wick writes to /run, a tmpfs in containers).
    func writeCredentials(_ request: ExecRequest) -> String? {
        guard let directory = request.credentialsDirectory else { return nil }
        _ = FileRemover.removeTree(directory)
        let owner = request.directoryOwner.map { (uid: $0.uid, gid: $0.gid) }
        return CredentialWriter.write(directory: directory, files: request.credentialFiles.map { ($0.id, $0.contents) }, owner: owner)?.description
    }

    /// A fresh 128-bit id per start of a unit, as 32 hex digits (systemd's `INVOCATION_ID`).
    func invocationID(unit: String, invocation: UInt64) -> String {
        if let known = invocationIDs[unit], known.invocation == invocation { return known.id }
        var generator = SystemRandomNumberGenerator()
        let id = [generator.next(), generator.next()].map { value -> String in
            let hex = String(value as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        invocationIDs[unit] = (invocation, id)
        return id
    }

    /// The unit's current invocation id (`wick show InvocationID=`), empty before its first start.
    func currentInvocationID(_ unit: String) -> String { invocationIDs[unit]?.id ?? "" }

    /// `DynamicUser=yes` (systemd's dynamic-user.c): a uid picked from the unit name's hash in
    /// 61184-65519, moving on past uids in /etc/passwd and those of other running units; the user
    /// is named after `User=` or the unit, and its group has the same number.
    private func dynamicUser(unit: String, name: String?) -> UserRecords.User {
        let userName = name ?? String(unit.prefix { $0 != "." && $0 != "@" })
        if let uid = dynamicUIDs[unit] { return UserRecords.User(name: userName, uid: uid, gid: uid, home: "/", shell: "/usr/sbin/nologin") }
        let span = UInt32(Self.dynamicRange.count)
        var hash: UInt32 = 2_166_136_261
        for byte in unit.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
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
    func unitStopped(_ unit: String, context: ExecContext, restarting: Bool, log: (String) -> Void) {
        if !restarting { dynamicUIDs[unit] = nil }
        let keep = context.runtimeDirectoryPreserve == "yes" || (context.runtimeDirectoryPreserve == "restart" && restarting)
        guard !keep else { return }
        if !restarting || !context.loadCredentials.isEmpty || !context.setCredentials.isEmpty {
            if let error = FileRemover.removeTree(ExecRequest.credentialsDirectory(unit, runtimeDirectory: runtimeDirectory)) { log("\(unit): cannot remove its credentials: \(error)") }
        }
        for path in ExecRequest.runtimeDirectories(context, runtimeDirectory: runtimeDirectory) {
            if let error = FileRemover.removeTree(path) { log("\(unit): cannot remove RuntimeDirectory \(path): \(error)") }
        }
    }

    /// Whether wick holds capability `number` in its effective set (`CapEff:` of /proc/self/status).
    private static func hasEffectiveCapability(_ number: UInt64) -> Bool {
        guard let bytes = try? FileSystemUnitSource(maximumFileSize: FileSystemUnitSource.systemFileLimit).contents(of: "/proc/self/status") else { return false }
        let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("CapEff:") }
        guard let hex = line?.split(separator: "\t").last, let mask = UInt64(hex, radix: 16) else { return false }
        return mask & (1 << number) != 0
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
