/// What wick does NOT do for each group of directives it parses without enforcing; `wick verify`
/// prints these so that nobody believes a sandbox or a limit exists that does not.
enum NotEnforced {
    static let credentials = DirectiveSupport.notEnforced(
        "not applied: wick sets no user namespace, keyring or credentials for the service")
    static let dynamicUser = DirectiveSupport.notEnforced(
        "partly applied: a uid from 61184-65519 stable while wick runs, with systemd's implied PrivateTmp=, ProtectSystem=strict, ProtectHome=read-only, NoNewPrivileges= and RestrictSUIDSGID=; the implied RemoveIPC= and /var/lib/private are not")
    static let rootDirectory = DirectiveSupport.notEnforced(
        "partly applied: a plain chroot(2) before the working directory; nothing is mounted inside it")
    static let filesystem = DirectiveSupport.notEnforced(
        "not enforced: wick creates no mount namespace, the service sees the file system unchanged")
    static let seccomp = DirectiveSupport.notEnforced(
        "not enforced: wick installs no seccomp filter, every system call and address family is allowed")
    static let cgroups = DirectiveSupport.notEnforced(
        "not enforced: wick creates no slices or device cgroups; this is left to the container runtime")
    static let delegate = DirectiveSupport.notEnforced(
        "not enforced: wick delegates no cgroup subtree to the service; it stays in the cgroup wick made")
    static let accounting = DirectiveSupport.notEnforced(
        "always on: wick reports what a unit's cgroup counts whenever it has one, and nothing without")
    static let limits = DirectiveSupport.notEnforced(
        "not applied yet: the service inherits wick's resource limits")
    static let capabilities = DirectiveSupport.notEnforced(
        "not applied yet: the service keeps wick's capabilities and privileges")
    static let network = DirectiveSupport.notEnforced(
        "not enforced: wick applies no network namespace or IP filter, all traffic is allowed")
    static let directories = DirectiveSupport.notEnforced(
        "not applied yet: wick does not create or chown these directories")
    static let scheduling = DirectiveSupport.notEnforced(
        "not applied yet: the service runs with wick's scheduling and OOM settings")
    static let terminal = DirectiveSupport.notEnforced(
        "not applied: wick gives services no terminal and writes no utmp records")
    static let coredump = DirectiveSupport.notEnforced(
        "not applied: the service keeps the kernel's core dump filter")
    static let jobs = DirectiveSupport.notEnforced(
        "not enforced: wick has no isolate, manual-start policy or job timeout")
    static let actions = DirectiveSupport.notEnforced(
        "not enforced: wick never reboots or powers off the machine on a unit's behalf")
    static let socketOptions = DirectiveSupport.notEnforced(
        "not applied yet: the socket is created without this option")
    static let notifications = DirectiveSupport.notEnforced(
        "not enforced: wick watches no D-Bus name")
    /// systemd 252 directives wick reads and does nothing with (each named here so that a unit
    /// using one is not told the directive is unknown).
    static let unsupported = DirectiveSupport.notEnforced(
        "not supported: wick ignores it")
    static let conditions = DirectiveSupport.notEnforced(
        "not evaluated: wick checks only path conditions; this one is assumed to hold")
    static let deprecated = DirectiveSupport.notEnforced(
        "deprecated in systemd and ignored by wick")
    static let logging = DirectiveSupport.notEnforced(
        "not applied: wick prefixes output lines with the unit name")
}
