#if canImport(Glibc)
import Glibc
#endif
import WickUnits

/// Parses every unit file of the given directories many times and prints unit files per second.
/// Files are read once; the timed part is lexing, typing and validating (what `wick` does per load).
enum ParseBenchmark {
    static func run(arguments: [String]) {
        var rounds = 200
        var directories: [String] = []
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            if argument == "--rounds", let value = iterator.next(), let number = Int(value) { rounds = number }
            else { directories.append(argument) }
        }
        guard !directories.isEmpty else {
            print("usage: wick-parse-bench [--rounds N] UNIT_DIRECTORY...")
            exit(2)
        }
        let source = FileSystemUnitSource()
        var files: [(UnitName, UnitSourceFile)] = []
        for directory in directories {
            for entry in source.entries(of: directory) ?? [] {
                guard let name = try? UnitName(entry), let bytes = try? source.contents(of: directory + "/" + entry) else { continue }
                files.append((name, UnitSourceFile(path: directory + "/" + entry, bytes: bytes)))
            }
        }
        guard !files.isEmpty else { print("no unit files found"); exit(1) }
        var errors = 0
        let start = now()
        for _ in 0..<rounds {
            for (name, file) in files where UnitBuilder.build(name: name, fragment: file).diagnostics.hasErrors {
                errors += 1
            }
        }
        let seconds = now() - start
        let parsed = Double(files.count * rounds)
        print("parsed \(files.count) unit files x \(rounds) rounds in \(format(seconds)) s: \(Int(parsed / seconds)) files/s (units with errors: \(errors / rounds))")
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}
