import Foundation
import Glibc

/// A process a test starts in the background; its output goes to a temporary file (no pipe to
/// fill up). `stop()` ends it by pid (SIGTERM, then SIGKILL after 5 s) and waits for it.
final class BackgroundProcess {
    let process = Process()
    let logURL: URL

    init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws {
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("wick-log-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Waits up to `seconds` for the process to exit on its own; returns its status or nil.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            kill(pid, SIGTERM)
            if waitForExit(seconds: 5) == nil { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: logURL)
        return process.terminationStatus
    }

    /// Direct children of this process, from /proc (to check that nothing is left behind).
    func children() -> [Int32] {
        let path = "/proc/\(pid)/task/\(pid)/children"
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

extension BinaryRunner {
    static var testService: String {
        wick.deletingLastPathComponent().appendingPathComponent("wick-test-service").path
    }
}
