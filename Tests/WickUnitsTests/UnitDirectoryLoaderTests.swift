import Testing
@testable import WickUnits

@Suite struct UnitDirectoryLoaderTests {
    @Test func dropInsMergeInFileNameOrderAcrossTypeTemplateAndInstance() {
        let source = MemoryUnitSource(files: [
            "/u/web@.service": "[Service]\nExecStart=/bin/web\nEnvironment=ORDER=fragment\n",
            "/u/service.d/10-all.conf": "[Service]\nEnvironment=ORDER=10-type\n",
            "/u/web@.service.d/20-template.conf": "[Service]\nEnvironment=ORDER=20-template\n",
            "/u/web@a.service.d/15-instance.conf": "[Service]\nEnvironment=ORDER=15-instance\n",
            "/u/web@a.service.d/ignored.txt": "[Service]\nEnvironment=ORDER=txt\n",
        ])
        let loader = UnitDirectoryLoader(directories: ["/u"], source: source)
        let unit = loader.load("web@a.service")
        #expect(unit.loadState == .loaded)
        #expect(unit.settings.service.exec.environment.map(\.value) == ["fragment", "10-type", "15-instance", "20-template"])
        #expect(unit.dropInPaths == ["/u/service.d/10-all.conf", "/u/web@a.service.d/15-instance.conf", "/u/web@.service.d/20-template.conf"])
        #expect(loader.load("web@b.service").dropInPaths.count == 2)
    }

    /// systemd loads every unit a dependency names: an instance nothing else provides comes
    /// from its template, and what it names in turn; one without a template is left out.
    @Test func instancesNamedByDependenciesAreLoadedFromTheirTemplates() {
        let source = MemoryUnitSource(files: [
            "/u/a.service": "[Unit]\nWants=b@x.service\nRequires=missing@y.service\nAfter=order@z.service\n[Service]\nExecStart=/bin/a\n",
            "/u/b@.service": "[Unit]\nBindsTo=c@%i.service\n[Service]\nExecStart=/bin/b %i\n",
            "/u/c@.service": "[Service]\nExecStart=/bin/c %i\n",
            "/u/order@.service": "[Service]\nExecStart=/bin/o\n",
            "/u/lone@.service": "[Unit]\nWants=helper@%i-side.service\n[Service]\nExecStart=/bin/l\n",
            "/u/helper@.service": "[Service]\nExecStart=/bin/h\n",
        ])
        let loader = UnitDirectoryLoader(directories: ["/u"], source: source)
        let all = loader.loadAll()
        let named = loader.loadNamedInstances(of: all, known: Set(loader.unitNames))
        #expect(named.map(\.name.name).sorted() == ["b@x.service", "c@x.service"],
                "ordering alone loads nothing wick would run, and a template's own names (helper@-side) are not followed")
        #expect(named.allSatisfy { $0.isFromTemplate })
        #expect(named.first { $0.name.name == "b@x.service" }?.settings.service.execStart.first?.arguments == ["/bin/b", "x"])
        #expect(loader.loadNamedInstances(of: all, known: Set(loader.unitNames), limit: 1).count == 1)
    }

    /// systemd's conf_files_list() (CONF_FILES_REGULAR, CONF_FILES_FILTER_MASKED): a drop-in
    /// linked to /dev/null is masked, a dangling link is passed over (with a warning here), a
    /// link to a regular file is read; the unit loads (a dangling drop-in made it bad-setting).
    @Test func maskedAndDanglingDropInsArePassedOver() {
        let source = MemoryUnitSource(files: [
            "/u/x.service": "[Service]\nExecStart=/bin/x\n",
            "/u/x.service.d/a.conf": "[Service]\nRestartSec=2\n",
            "/u/x.service.d/e.real": "[Service]\nRestartSec=5\n",
        ], symlinks: [
            "/u/x.service.d/b.conf": "/nonexistent",
            "/u/x.service.d/c.conf": "/dev/null",
            "/u/x.service.d/d.conf": "e.real",
        ])
        let unit = UnitDirectoryLoader(directories: ["/u"], source: source).load("x.service")
        #expect(unit.loadState == .loaded)
        #expect(unit.settings.service.restartSec == .seconds(5))
        #expect(unit.dropInPaths == ["/u/x.service.d/a.conf", "/u/x.service.d/d.conf"])
        #expect(unit.diagnostics.map(\.description) == ["/u/x.service.d/b.conf: warning: drop-in is not a regular file (or a dangling link), skipped, as systemd skips it"])
    }

    @Test func dashPrefixDropIns() {
        let source = MemoryUnitSource(files: [
            "/u/foo-bar-baz.service": "[Service]\nExecStart=/bin/x\n",
            "/u/foo-.service.d/a.conf": "[Service]\nRestartSec=1\n",
            "/u/foo-bar-.service.d/b.conf": "[Service]\nRestartSec=2\n",
        ])
        let unit = UnitDirectoryLoader(directories: ["/u"], source: source).load("foo-bar-baz.service")
        #expect(unit.settings.service.restartSec == .seconds(2))
        #expect(unit.dropInPaths.count == 2)
    }

    @Test func laterDirectoryOverridesByFileName() {
        let source = MemoryUnitSource(files: [
            "/usr/lib/a.service": "[Service]\nExecStart=/bin/usr\n",
            "/etc/a.service": "[Service]\nExecStart=/bin/etc\n",
            "/usr/lib/a.service.d/x.conf": "[Service]\nRestartSec=1\n",
            "/etc/a.service.d/x.conf": "[Service]\nRestartSec=9\n",
            "/usr/lib/b.service": "[Service]\nExecStart=/bin/b\n",
        ])
        let loader = UnitDirectoryLoader(directories: ["/usr/lib", "/etc"], source: source)
        let unit = loader.load("a.service")
        #expect(unit.fragmentPath == "/etc/a.service")
        #expect(unit.settings.service.execStart.first?.path == "/bin/etc")
        #expect(unit.settings.service.restartSec == .seconds(9))
        #expect(unit.dropInPaths == ["/etc/a.service.d/x.conf"])
        #expect(loader.unitNames == ["a.service", "b.service"])
    }

    @Test func symlinkAliasesAndMasks() {
        let source = MemoryUnitSource(
            files: ["/u/rsyslog.service": "[Service]\nExecStart=/usr/sbin/rsyslogd\n", "/u/empty.service": ""],
            symlinks: ["/u/syslog.service": "/u/rsyslog.service", "/u/off.service": "/dev/null"])
        let loader = UnitDirectoryLoader(directories: ["/u"], source: source)
        #expect(loader.load("syslog.service").name.name == "rsyslog.service")
        #expect(loader.load("off.service").loadState == .masked)
        #expect(loader.load("empty.service").loadState == .masked)
        #expect(loader.load("missing.service").loadState == .notFound)
        #expect(loader.load("../x.service").loadState == .notFound)
    }

    @Test func oneBrokenUnitDoesNotStopTheOthers() {
        let source = MemoryUnitSource(files: [
            "/u/good.socket": "[Socket]\nListenStream=8080\n",
            "/u/good.service": "[Service]\nExecStart=/bin/good\n",
            "/u/bad.service": "[Service]\nExecStart=\"/bin/unterminated\n",
            "/u/README": "not a unit",
        ])
        let units = UnitDirectoryLoader(directories: ["/u"], source: source).loadAll()
        #expect(units.map(\.name.name) == ["bad.service", "good.service", "good.socket"])
        #expect(units.map(\.loadState) == [.badSetting, .loaded, .loaded])
    }

    @Test func missingDirectoryIsReported() {
        let loader = UnitDirectoryLoader(directories: ["/nope"], source: MemoryUnitSource())
        #expect(loader.diagnostics.count == 1)
        #expect(loader.diagnostics[0].severity == .error)
    }
}

#if canImport(Glibc)
import Glibc

/// Bad directories are reported, never skipped in silence or read without bound.
@Suite struct HostileUnitDirectoryTests {
    func temporaryDirectory() -> String {
        var template = Array("/tmp/wick-units-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    @Test func symlinkLoopsAndDanglingAliasesAreReported() {
        let directory = temporaryDirectory()
        defer { _ = system("rm -rf \(directory)") }
        symlink("b.service", directory + "/a.service")
        symlink("a.service", directory + "/b.service")
        symlink("gone.service", directory + "/alias.service")
        let loader = UnitDirectoryLoader(directories: [directory])
        let messages = loader.diagnostics.map(\.description)
        #expect(messages.contains { $0.contains("symlink loop: a.service -> b.service -> a.service") && $0.contains("error") }, "\(messages)")
        #expect(messages.contains { $0.contains("alias of gone.service, which is not in the unit directories") }, "\(messages)")
    }

    @Test func aUnitFileOverOneMebibyteIsRefusedWithoutReadingItAll() {
        let directory = temporaryDirectory()
        defer { _ = system("rm -rf \(directory)") }
        let fd = open(directory + "/huge.service", O_WRONLY | O_CREAT, 0o644)
        let header = Array("[Service]\nExecStart=/bin/true\n".utf8)
        _ = write(fd, header, header.count)
        _ = ftruncate(fd, 50 << 20)   // 50 MiB, mostly NUL bytes
        close(fd)
        let unit = UnitDirectoryLoader(directories: [directory]).load("huge.service")
        #expect(unit.loadState == .badSetting)
        #expect(unit.diagnostics.contains { $0.description.contains("huge.service") && $0.description.contains("larger than 1 MiB") },
                "\(unit.diagnostics)")
    }
}
#endif
