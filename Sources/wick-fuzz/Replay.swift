#if canImport(Glibc)
import Glibc
#endif
import WickUnits

/// Without libFuzzer: `wick-fuzz TARGET PATH...` runs every file (and every file in every
/// directory) through one target, the way `make test` replays the seed corpus and past findings.
enum Replay {
    static func main() -> Int32 {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3, let target = FuzzTarget(rawValue: arguments[1]) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            print("usage: wick-fuzz \(names) FILE|DIRECTORY...")
            return 2
        }
        let source = FileSystemUnitSource(maximumFileSize: 1 << 24)
        var count = 0
        for path in arguments.dropFirst(2) {
            let files = source.entries(of: path).map { $0.map { path + "/" + $0 } } ?? [path]
            for file in files {
                guard let bytes = try? source.contents(of: file) else { continue }
                target.run(bytes)
                count += 1
            }
        }
        print("wick-fuzz \(target.rawValue): \(count) inputs, no trap")
        return 0
    }
}

// Built for `make fuzz` (`--sanitize=fuzzer -D WICK_LIBFUZZER`), libFuzzer's own main drives
// `LLVMFuzzerTestOneInput`; otherwise this executable replays inputs.
#if !WICK_LIBFUZZER
@main struct ReplayMain {
    static func main() { exit(Replay.main()) }
}
#endif
