import Testing
@testable import WickCore
import WickUnits

/// The sandbox as a value (issue 12): systemd 252's mount tables, their order and priorities, and
/// the seccomp rules of each setting, without a namespace or a filter.
@Suite struct SandboxPlanTests {
    static let host = Sandbox.Host(stagingRoot: "/S", inaccessibleDirectory: "/I/dir", inaccessibleFile: "/I/reg")

    func context(_ lines: String) -> ExecContext {
        UnitBuilder.build(name: try! UnitName("t.service"), fragment: UnitSourceFile(path: "/t.service", text: "[Service]\nExecStart=/bin/t\n" + lines))
            .settings.service.exec
    }

    @Test func strictSystemWithHomeHiddenIsAssembledParentsFirst() {
        let plan = Sandbox.plan(context("ProtectSystem=strict\nProtectHome=yes\n"), host: Self.host, writable: ["/var/lib/app"])
        #expect(plan.namespaces == .mount && plan.directives == ["ProtectSystem=", "ProtectHome="])
        #expect(plan.steps.first == Sandbox.Step(kind: .bind, path: "/S", source: "/"))
        #expect(plan.steps.last == Sandbox.Step(kind: .moveRoot, path: "/S"))
        let middle = plan.steps.dropFirst().dropLast().map { "\($0.kind) \($0.path)" }
        #expect(middle == [
            "readOnly /S", "bind /S/dev", "inaccessible /S/home", "bind /S/proc", "inaccessible /S/root",
            "inaccessible /S/run/user", "bind /S/sys", "bind /S/var/lib/app",
        ], "for one path the first mode wins: /home is inaccessible, not writable")
        #expect(plan.steps.first { $0.path == "/S/proc" }?.source == "/proc", "bound again from the host")
    }

    @Test func nothingIsMountedBelowAnInaccessiblePath() {
        let plan = Sandbox.plan(context("InaccessiblePaths=/opt\nReadOnlyPaths=/opt/x\nReadWritePaths=-/usr\n"), host: Self.host, writable: [])
        #expect(!plan.steps.contains { $0.path == "/S/opt/x" })
        #expect(plan.steps.contains(Sandbox.Step(kind: .bind, path: "/S/usr", source: "/usr", ignoreMissing: true)))
    }

    @Test func networkHostnameAndIPCAreNamespacesWithoutMounts() {
        let plan = Sandbox.plan(context("PrivateNetwork=yes\nPrivateIPC=yes\n"), host: Self.host, writable: [])
        #expect(plan.namespaces == [.network, .ipc] && plan.steps.isEmpty)
        var host = Self.host
        host.privateTmp = Sandbox.PrivateTmp(tmp: "/tmp/p/tmp", varTmp: "/tmp/p/var-tmp")
        let notify = Sandbox.plan(context("PrivateTmp=yes\n"), host: host, writable: [], notifySocket: "/run/wick/notify")
        #expect(notify.steps.contains(Sandbox.Step(kind: .bind, path: "/S/tmp", source: "/tmp/p/tmp")))
        #expect(notify.steps.contains(Sandbox.Step(kind: .bind, path: "/S/run/wick/notify", source: "/run/wick/notify", flag: 1, ignoreMissing: true)))
    }

    @Test func addressFamiliesAsSystemdRangesThem() {
        let rules = SeccompPolicy.filters(context("RestrictAddressFamilies=AF_UNIX AF_INET6\n")).first?.rules ?? []
        #expect(rules.count == 2 + 8, "below AF_UNIX, above AF_INET6, and 2...9 between")
        #expect(rules.allSatisfy { $0.syscall == "socket" && $0.action == .errno(97) })
        #expect(SeccompPolicy.filters(context("RestrictAddressFamilies=~AF_PACKET\n")).first?.rules
                == [SeccompFilter.Rule(syscall: "socket", action: .errno(97), conditions: [.init(argument: 0, op: .equal, value: 17)])])
        #expect(SeccompPolicy.filters(context("RestrictAddressFamilies=none\n")).first?.rules == [SeccompFilter.Rule(syscall: "socket", action: .errno(97))])
    }

    @Test func systemCallFilterListsAddAndRemove() {
        let allow = SeccompPolicy.filters(context("SystemCallFilter=@basic-io\nSystemCallFilter=~write\n")).last
        #expect(allow?.defaultAction == .killProcess && allow?.directive == "SystemCallFilter=")
        let allowed = Set(allow?.rules.map(\.syscall) ?? [])
        #expect(allowed.contains("read") && !allowed.contains("write") && allowed.contains("exit_group"), "@default is implied")
        let deny = SeccompPolicy.filters(context("SystemCallFilter=~@mount mknod:EACCES\nSystemCallErrorNumber=EPERM\n")).last
        #expect(deny?.defaultAction == .allow && deny?.rules.contains(.init(syscall: "mount", action: .errno(1))) == true)
        #expect(deny?.rules.contains(.init(syscall: "mknod", action: .errno(13))) == true, "an entry's own errno")
        #expect(context("SystemCallFilter=read frobnicate\n").systemCallFilter?.operations.map(\.name) == ["read"], "unknown names skipped")
    }

    /// Words without a name or a path are refused where the unit is read, never read past their
    /// end where the process is started (a `:` word trapped the daemon; found by fuzzing).
    @Test func malformedFilterAndTemporaryFileSystemWordsAreRefusedNotTrapped() {
        // As systemd: a malformed word is reported and skipped, the others apply; the first
        // assignment still makes the list an allow list (only @default when nothing else is left).
        for (value, names) in [(":", [String]()), (":EPERM", []), ("read:", []), ("read : write:BOGUS close", ["read", "close"])] {
            let unit = UnitBuilder.build(name: try! UnitName("t.service"), fragment: UnitSourceFile(path: "/t.service", text: "[Service]\nExecStart=/bin/t\nSystemCallFilter=\(value)\n"))
            #expect(unit.diagnostics.contains { $0.description.contains("SystemCallFilter=") && $0.description.contains("ignored (the others apply)") }, "\(value): \(unit.diagnostics)")
            let filter = unit.settings.service.exec.systemCallFilter
            #expect(filter?.allowList == true && filter?.operations.map(\.name) == names, "\(value): \(String(describing: filter))")
        }
        #expect(context("SystemCallFilter=read:EPERM\n").systemCallFilter?.operations.first?.errno == 1)
        for (value, kept) in [(":", [String]()), (":size=1M", []), ("relative", []), ("/a relative:mode=0700 /b:size=1M", ["/a", "/b:size=1M"])] {
            let unit = UnitBuilder.build(name: try! UnitName("t.service"), fragment: UnitSourceFile(path: "/t.service", text: "[Service]\nExecStart=/bin/t\nTemporaryFileSystem=\(value)\n"))
            #expect(unit.diagnostics.contains { $0.description.contains("TemporaryFileSystem=") && $0.description.contains("not an absolute path") }, "\(value)")
            #expect(unit.settings.service.exec.temporaryFileSystem == kept, "\(value)")
        }
        var exec = context("TemporaryFileSystem=/srv:mode=0700 /tmp/x:\n")
        #expect(exec.temporaryFileSystem == ["/srv:mode=0700", "/tmp/x:"])
        exec.temporaryFileSystem += [":", ""]   // as if a unit held them: skipped by the plan
        let steps = Sandbox.plan(exec, host: Self.host, writable: []).steps.filter { $0.kind == .tmpfs }
        #expect(steps.map(\.path) == ["/S/srv", "/S/tmp/x"] && steps.map(\.source) == ["mode=0755,size=10%,nr_inodes=400k,mode=0700", "mode=0755,size=10%,nr_inodes=400k"] as [String?], "\(steps)")
    }

    @Test func namespacesAndTheImpliedCapabilityDrops() {
        let filter = SeccompPolicy.filters(context("RestrictNamespaces=~user\n")).first
        // `time` is outside systemd's NAMESPACE_FLAGS_ALL, so `~user` blocks it too.
        #expect(filter?.rules.filter { $0.syscall == "unshare" }.count == 2 && filter?.rules.first?.syscall == "clone3")
        #expect(SeccompPolicy.filters(context("RestrictNamespaces=no\n")).isEmpty)
        #expect(SeccompPolicy.droppedCapabilities(context("PrivateDevices=yes\nProtectKernelModules=yes\n")) == 1 << 27 | 1 << 17 | 1 << 16)
    }

    /// Without a sandbox directory the settings fail the start (or are reported with
    /// --sandbox=best-effort), never silently skipped.
    @Test func withoutASandboxDirectoryTheStartFails() {
        var inputs = ExecInputs(unit: "t.service", context: context("ProtectSystem=yes\n"), users: UserRecords(passwd: "", group: ""))
        inputs.sandboxHost = nil
        guard case .failure(let failure) = ExecRequest.build(inputs) else { Issue.record("a sandbox was skipped silently"); return }
        #expect(failure.status == 226 && failure.message.contains("ProtectSystem="), "\(failure)")
        inputs.sandboxBestEffort = true
        #expect((try? ExecRequest.build(inputs).get())?.skippedSandbox == ["ProtectSystem="])
    }
}
