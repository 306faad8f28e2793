import Foundation
import Glibc
import Testing

/// `make image`'s output (.build/image/wick.tar, an OCI archive): its root file system extracted
/// from the layer the manifest names, and its wick run as PID 1 in a new PID and mount namespace
/// chrooted into it, serving a client through the image's own units and /bin/sh. Signals go to
/// the inner wick by its host pid, after checking NSpid.
@Suite(.serialized) struct ImageTests {
    static var archive: String { BinaryRunner.repositoryRoot.appendingPathComponent(".build/image/wick.tar").path }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.fileExists(atPath: archive), "needs root and `make image` (make test runs it)"))
    func theImageRunsWickAsPid1AndServesAClient() throws {
        let work = try BinaryRunner.directory([:])
        defer { try? FileManager.default.removeItem(at: work) }
        let layout = work.appendingPathComponent("layout"), root = work.appendingPathComponent("root")
        for directory in [layout, root] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        #expect(try BinaryRunner.run(URL(fileURLWithPath: "/bin/tar"), ["-xf", Self.archive, "-C", layout.path]).status == 0)
        let json = { (path: String) throws -> [String: Any] in
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: layout.appendingPathComponent(path))) as? [String: Any])
        }
        let blob = { (digest: String) in "blobs/sha256/" + digest.dropFirst("sha256:".count) }
        let index = try json("index.json")
        let manifestDigest = try #require((index["manifests"] as? [[String: Any]])?.first?["digest"] as? String)
        let manifest = try json(blob(manifestDigest))
        let config = try json(blob(try #require((manifest["config"] as? [String: Any])?["digest"] as? String)))
        #expect(((config["config"] as? [String: Any])?["Entrypoint"] as? [String])?.first == "/usr/bin/wick")
        for layer in manifest["layers"] as? [[String: Any]] ?? [] {
            let digest = try #require(layer["digest"] as? String)
            #expect(try BinaryRunner.run(URL(fileURLWithPath: "/bin/tar"), ["-xf", layout.appendingPathComponent(blob(digest)).path, "-C", root.path]).status == 0)
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root.path + "/usr/bin/systemctl") == "wick")

        // The image's hello.socket on a free loopback port (a drop-in, as an operator would add).
        let port = TestClient.freePort()
        let dropIn = root.appendingPathComponent("etc/wick/units/hello.socket.d/port.conf")
        try FileManager.default.createDirectory(at: dropIn.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "[Socket]\nListenStream=\nListenStream=127.0.0.1:\(port)\n".write(to: dropIn, atomically: true, encoding: .utf8)
        for directory in ["proc", "dev", "run", "tmp"] { try FileManager.default.createDirectory(atPath: root.path + "/" + directory, withIntermediateDirectories: true) }

        let unshare = try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/unshare"), [
            "--pid", "--fork", "--mount", "--propagation", "private", "--mount-proc=\(root.path)/proc",
            "/usr/sbin/chroot", root.path, "/usr/bin/wick", "daemon", "--units", "/etc/wick/units",
        ])
        var inner: Int32 = 0
        defer {
            if inner > 0 { kill(inner, SIGKILL) }
            unshare.stop()
        }
        #expect(TestClient.waitListening(port), "\(unshare.log)")
        for child in unshare.children() {
            let status = (try? String(contentsOfFile: "/proc/\(child)/status", encoding: .utf8)) ?? ""
            if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("NSpid:") }), line.split(separator: "\t").last == "1" { inner = child }
        }
        #expect(inner > 0, "wick is PID 1 of its namespace")
        let greeting = TestClient.readAll(TestClient.connectTCP(port))
        #expect(greeting.hasPrefix("hello from wick: you are 127.0.0.1:"), "\(greeting) \(unshare.log)")
        // systemctl inside the container (as `podman exec`: its namespaces and root), through its
        // own name and the default control socket.
        let listed = try BinaryRunner.run(URL(fileURLWithPath: "/usr/bin/nsenter"), [
            "--target", String(inner), "--mount", "--pid", "--root", "/usr/bin/systemctl", "list-sockets", "--no-legend",
        ])
        #expect(listed.stdout.contains("127.0.0.1:\(port) hello.socket -"), "an idle Accept=yes socket activates nothing: \(listed.stdout)\(listed.stderr)")
        // `disable --now` inside: nothing to unlink under --units, then the daemon reloads and
        // the socket stops.
        let disabled = try BinaryRunner.run(URL(fileURLWithPath: "/usr/bin/nsenter"), [
            "--target", String(inner), "--mount", "--pid", "--root", "/usr/bin/systemctl", "disable", "--now", "hello.socket",
        ])
        #expect(disabled.status == 0, "\(disabled.stderr)")
        #expect(TestClient.connectTCP(port) < 0, "hello.socket stopped")
        if inner > 0 {
            kill(inner, SIGTERM)
            #expect(ControlVerbTests.waitFor { kill(inner, 0) != 0 }, "SIGTERM stops PID 1 in order: \(unshare.log)")
            inner = 0
        }
    }
}
