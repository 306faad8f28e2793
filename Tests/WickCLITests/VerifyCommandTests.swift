import Foundation
import Testing
import WickCore
@testable import WickCLI

/// `wick verify` end to end: the real binary on real files.
@Suite struct VerifyCommandTests {
    @Test func cleanDirectoryExitsZeroAndPrintsNothing() throws {
        let dir = try BinaryRunner.directory([
            "web.socket": "[Socket]\nListenStream=127.0.0.1:8080\n",
            "web.service": "[Service]\nExecStart=/bin/true\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BinaryRunner.wick("verify", dir.path)
        #expect(result.status == 0)
        #expect(result.stdout == "")
    }

    @Test func errorsExitOneWithFileLineSeverityMessage() throws {
        let dir = try BinaryRunner.directory([
            "bad.socket": "[Socket]\nListenStream=vsock:2:80\n",
            "good.service": "[Service]\nExecStart=/bin/true\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BinaryRunner.wick("verify", dir.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(dir.path)/bad.socket:2: error: ListenStream=: AF_VSOCK addresses ('vsock:2:80') are not supported by wick\n"))
        #expect(!result.stdout.contains("good.service"))
    }

    @Test func warningsPassUnlessStrict() throws {
        let dir = try BinaryRunner.directory(["a.service": "[Service]\nExecStart=/bin/true\nSlice=web.slice\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let relaxed = try BinaryRunner.wick("verify", dir.path + "/a.service")
        #expect(relaxed.status == 0)
        #expect(relaxed.stdout == "\(dir.path)/a.service:3: warning: Slice= is not enforced: wick creates no slices or device cgroups; this is left to the container runtime\n")
        #expect(try BinaryRunner.wick("verify", "--strict", dir.path).status == 1)
    }

    /// Resource settings are checked against what the host allows (cgroup v2, controllers, BPF):
    /// the same unit is clean where everything is delegated and warned where it is not.
    @Test func resourceSettingsAreCheckedAgainstTheHost() throws {
        let dir = try BinaryRunner.directory(["a.service": "[Service]\nExecStart=/bin/true\nMemoryMax=1G\nSocketBindDeny=any\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.path + "/a.service"
        let bare = VerifyReport.make(paths: [path], abilities: CgroupAbilities.none).diagnostics.map(\.description)
        #expect(bare == [
            "\(path):3: warning: MemoryMax= is not enforced: wick has no writable cgroup v2 hierarchy (on this host)",
            "\(path):4: warning: SocketBindDeny= is not enforced: it needs cgroup BPF (a writable cgroup v2 hierarchy and CAP_BPF or CAP_SYS_ADMIN) (on this host)",
        ])
        let delegated = CgroupAbilities(hierarchy: true, controllers: ["memory"], bpf: true)
        #expect(VerifyReport.make(paths: [path], abilities: delegated).diagnostics.isEmpty)
        #expect(try BinaryRunner.wick("verify", "--no-host-checks", path).stdout == "")
    }

    @Test func jsonOutputIsOneObjectPerLine() throws {
        let dir = try BinaryRunner.directory(["a.service": "[Service]\nExecStart=/bin/true \"unterminated\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BinaryRunner.wick("verify", "--json", dir.path)
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(object["file"] as? String == dir.path + "/a.service")
        #expect(object["line"] as? Int == 2)
        #expect(object["severity"] as? String == "error")
        #expect(object["unit"] as? String == "a.service")
        #expect(object["directive"] as? String == "ExecStart")
        #expect((object["message"] as? String)?.hasPrefix("ExecStart=: unbalanced quoting") == true)
    }

    @Test func dropInsBesideAFileAreChecked() throws {
        let dir = try BinaryRunner.directory([
            "a.service": "[Service]\nExecStart=/bin/true\n",
            "a.service.d/override.conf": "[Service]\nRestartSec=soon\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BinaryRunner.wick("verify", dir.path + "/a.service")
        #expect(result.status == 1)
        #expect(result.stdout.contains("a.service.d/override.conf:2: error: RestartSec=:"))
    }

    @Test func badPathsAndNamesAreErrors() throws {
        let dir = try BinaryRunner.directory(["notes.txt": "hello"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = try BinaryRunner.wick("verify", "/nonexistent/x.service")
        #expect(missing.status == 1)
        #expect(missing.stdout == "/nonexistent/x.service: error: no such file or directory\n")
        let notUnit = try BinaryRunner.wick("verify", dir.path + "/notes.txt")
        #expect(notUnit.status == 1)
        #expect(notUnit.stdout.contains("is not a unit file name"))
    }

    @Test func hostileFileDoesNotCrashTheBinary() throws {
        var garbage = ""
        var state: UInt32 = 12345
        for _ in 0..<200_000 {
            state = state &* 1_103_515_245 &+ 12345
            garbage.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: state >> 16) & 0x7F))
        }
        let dir = try BinaryRunner.directory(["g.service": garbage, "only.service": "\\"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BinaryRunner.wick("verify", dir.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("only.service: error: service has no ExecStart=, ExecStop= or SuccessAction= setting"))
    }

    @Test func exampleUnitsVerifyClean() throws {
        let result = try BinaryRunner.wick("verify", BinaryRunner.repositoryRoot.appendingPathComponent("units").path)
        #expect(result.status == 0, "\(result.stdout)")
    }

    /// The checked-in list of what wick does not enforce for Debian's units is current.
    @Test func corpusWarningsMatchTheCheckedInList() throws {
        let root = BinaryRunner.repositoryRoot
        let script = root.appendingPathComponent("bench/corpus-warnings.sh")
        let corpus = root.appendingPathComponent("../shared/corpus").standardizedFileURL
        let result = try BinaryRunner.run(URL(fileURLWithPath: "/bin/bash"), [script.path, corpus.path])
        let expected = try String(contentsOf: root.appendingPathComponent("docs/corpus-warnings.txt"), encoding: .utf8)
        #expect(!result.stdout.contains(": error:"))
        #expect(result.stdout == expected, "run `make corpus-warnings` and review the diff")
    }
}
