import Testing
@testable import WickUnits

/// A source that counts how many files were read.
final class CountingUnitSource: UnitSource, @unchecked Sendable {
    let inner: MemoryUnitSource
    private(set) var reads = 0
    init(_ files: [String: String]) { inner = MemoryUnitSource(files: files) }
    func entries(of directory: String) -> [String]? { inner.entries(of: directory) }
    func kind(of path: String) -> UnitSourceEntryKind { inner.kind(of: path) }
    func contents(of path: String) throws(ValueError) -> [UInt8] {
        reads += 1
        return try inner.contents(of: path)
    }
}

@Suite struct TemplateInstancesTests {
    func instance(_ name: String) -> UnitName { (try? UnitName(name))! }

    @Test func instancesOfAnInstanceIndependentTemplateAreCopiesWithTheirOwnName() {
        let source = CountingUnitSource([
            "/u/echo@.service": "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n",
            "/u/echo@.service.d/limit.conf": "[Service]\nRestartSec=3\n",
        ])
        let loader = UnitDirectoryLoader(directories: ["/u"], source: source)
        var instances = TemplateInstances()
        let first = instances.load(instance("echo@1.service"), with: loader)
        let readsAfterFirst = source.reads
        let second = instances.load(instance("echo@2.service"), with: loader)
        #expect(source.reads == readsAfterFirst, "the second instance reads no file")
        #expect(second.name.name == "echo@2.service" && second.loadState == .loaded)
        #expect(first.name.name == "echo@1.service", "the first keeps its name: the copies share storage only until written")
        #expect(second.settings == first.settings && second.settings.service.restartSec == .seconds(3))
        #expect(second.settings == loader.load("echo@2.service").settings, "the same as a full load")
        #expect(second.dropInPaths == ["/u/echo@.service.d/limit.conf"])
    }

    /// A loaded unit's fields are shared between copies until one is written (`LoadedUnit`'s
    /// copy-on-write storage): a write changes that copy alone, every field of it.
    @Test func aWrittenCopyOfALoadedUnitLeavesTheOtherAlone() {
        let original = LoadedUnit(name: instance("a@1.service"), loadState: .loaded, fragmentPath: "/u/a@.service", dropInPaths: ["/d"])
        var copy = original
        copy.name = instance("a@2.service")
        copy.loadState = .badSetting
        copy.fragmentPath = nil
        copy.dropInPaths.append("/e")
        copy.settings.service.restartSec = .seconds(9)
        copy.directiveLocations["Restart"] = SourceLocation(file: "/x", line: 1)
        #expect(original.name.name == "a@1.service" && original.loadState == .loaded && original.fragmentPath == "/u/a@.service")
        #expect(original.dropInPaths == ["/d"] && original.settings == UnitSettings() && original.directiveLocations.isEmpty)
        #expect(copy.name.name == "a@2.service" && copy.loadState == .badSetting && copy.fragmentPath == nil && copy.dropInPaths == ["/d", "/e"])
        #expect(copy.settings.service.restartSec == .seconds(9) && copy.directiveLocations["Restart"] != nil)
    }

    @Test(arguments: ["%i", "%I", "%n", "%N"])
    func aTemplateThatNamesItsInstanceIsLoadedForEachInstance(_ specifier: String) {
        let source = CountingUnitSource(["/u/echo@.service": "[Service]\nExecStart=/bin/echo \(specifier)\n"])
        let loader = UnitDirectoryLoader(directories: ["/u"], source: source)
        var instances = TemplateInstances()
        _ = instances.load(instance("echo@a.service"), with: loader)
        let reads = source.reads
        let second = instances.load(instance("echo@b.service"), with: loader)
        #expect(source.reads > reads)
        #expect(second.settings == loader.load("echo@b.service").settings)
        #expect(second.settings.service.execStart.first?.arguments.last?.contains("b") == true)
    }

    @Test func anInstanceWithItsOwnDropInsIsLoadedInFull() {
        let source = CountingUnitSource([
            "/u/echo@.service": "[Service]\nExecStart=/bin/cat\n",
            "/u/echo@special.service.d/x.conf": "[Service]\nRestartSec=7\n",
        ])
        let loader = UnitDirectoryLoader(directories: ["/u"], source: source)
        var instances = TemplateInstances()
        _ = instances.load(instance("echo@plain.service"), with: loader)
        #expect(instances.load(instance("echo@special.service"), with: loader).settings.service.restartSec == .seconds(7))
        #expect(instances.load(instance("echo@other.service"), with: loader).settings.service.restartSec == .milliseconds(100))
    }

    @Test func aBrokenTemplateStaysBroken() {
        let loader = UnitDirectoryLoader(directories: ["/u"], source: MemoryUnitSource(files: ["/u/echo@.service": "[Service]\nExecStart=\n"]))
        var instances = TemplateInstances()
        #expect(instances.load(instance("echo@1.service"), with: loader).loadState == .badSetting)
        #expect(instances.load(instance("echo@2.service"), with: loader).loadState == .badSetting)
    }
}
