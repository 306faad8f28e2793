import Testing
@testable import WickUnits

/// The unit files Debian packages ship (../shared/corpus/units, nobody here wrote them) load with
/// zero errors. The warnings they produce are checked in docs/corpus-warnings.txt and compared by
/// the CLI tests.
@Suite struct CorpusTests {
    static var corpus: String {
        let file = #filePath
        let root = file.split(separator: "/").dropLast(3).joined(separator: "/")
        return "/" + root + "/../shared/corpus"
    }

    static func unitDirectories() -> [String] {
        let source = FileSystemUnitSource()
        var directories: [String] = []
        for package in source.entries(of: corpus + "/units") ?? [] {
            for kind in source.entries(of: "\(corpus)/units/\(package)") ?? [] {
                directories.append("\(corpus)/units/\(package)/\(kind)")
            }
        }
        return directories + [corpus + "/consumers/units"]
    }

    @Test func everyCorpusUnitLoadsWithoutErrors() {
        let directories = Self.unitDirectories()
        #expect(directories.count > 60, "corpus not found at \(Self.corpus)")
        var count = 0
        for directory in directories {
            let loader = UnitDirectoryLoader(directories: [directory])
            #expect(loader.diagnostics.isEmpty)
            for unit in loader.loadAll() {
                count += 1
                #expect(unit.loadState == .loaded, "\(unit.fragmentPath ?? unit.name.name): \(unit.diagnostics.filter { $0.severity == .error })")
            }
        }
        #expect(count >= 200)
    }

    @Test func corpusSocketsAreTyped() {
        let loader = UnitDirectoryLoader(directories: [Self.corpus + "/consumers/units"])
        let gunicorn = loader.load("gunicorn.socket")
        #expect(gunicorn.settings.socket.listen == [
            .stream(.ipv4(bytes: [127, 0, 0, 1], port: 18000)), .stream(.ipv4(bytes: [127, 0, 0, 1], port: 18001)),
        ])
        #expect(gunicorn.settings.socket.fileDescriptorName == "web")
        #expect(gunicorn.settings.socket.backlog == 128)
        let httpd = loader.load("micro-httpd.socket")
        #expect(httpd.settings.socket.accept)
        #expect(httpd.activatedServiceName == "micro-httpd@.service")
        let systemd = UnitDirectoryLoader(directories: [Self.corpus + "/units/systemd/system"])
        #expect(systemd.load("systemd-initctl.socket").settings.socket.listen == [.fifo(path: "/run/initctl")])
    }
}
