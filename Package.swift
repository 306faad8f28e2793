// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "wick",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wick", targets: ["wick"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The systemd unit-file language: pure, no syscalls beyond reading files through `UnitSource`.
        .target(name: "WickUnits"),
        // C: the spawn path (fork, fd placement, LISTEN_PID, exec) and calls Swift cannot reach.
        // libcap sets capabilities in the child, libseccomp compiles the filters in the parent
        // (docs/architecture.md).
        .target(name: "CWick", linkerSettings: [.linkedLibrary("cap"), .linkedLibrary("seccomp")]),
        // Thin typed syscalls: epoll, signalfd, sockets, accept, spawn, reaping. It applies
        // WickCore's `ExecRequest` values.
        .target(name: "WickSystem", dependencies: ["CWick", "WickUnits", "WickCore"]),
        // Pure: state machines and policies of socket and service units (no syscalls).
        .target(name: "WickCore", dependencies: ["WickUnits"]),
        // The control protocol: JSON lines, a client.
        .target(name: "WickControl"),
        // The event loops: `wick activate` now, `wick daemon` next.
        .target(
            name: "WickDaemon",
            dependencies: [
                "WickControl", "WickCore", "WickSystem", "WickUnits",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Command-line front end (swift-argument-parser), testable in-process.
        .target(
            name: "WickCLI",
            dependencies: [
                "WickUnits",
                "WickCore",
                "WickControl",
                "WickDaemon",
                "WickSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "wick", dependencies: ["WickCLI"]),
        // Parses the corpus repeatedly and prints unit files per second (bench/parse.sh).
        .executableTarget(name: "wick-parse-bench", dependencies: ["WickUnits"]),
        // libFuzzer targets for every parser of outside input (`make fuzz`); a replayer otherwise.
        .executableTarget(name: "wick-fuzz", dependencies: ["WickUnits", "WickCore", "WickControl"]),
        // A C test service that reports what sd_listen_fds_with_names() of libsystemd returns.
        .executableTarget(name: "wick-test-service", linkerSettings: [.linkedLibrary("systemd")]),
        .testTarget(
            name: "WickUnitsTests",
            dependencies: [
                "WickUnits",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "WickCLITests", dependencies: ["WickCLI", "WickControl", "WickDaemon", "WickSystem"]),
        .testTarget(name: "WickCoreTests", dependencies: ["WickCore", "WickUnits"]),
        .testTarget(name: "WickControlTests", dependencies: ["WickControl"]),
        .testTarget(name: "WickSystemTests", dependencies: ["WickSystem", "WickCore", "WickUnits"]),
    ],
    swiftLanguageModes: [.v6]
)
