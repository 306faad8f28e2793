import Foundation
import Glibc
import Testing

/// `wick daemon --metrics ADDR`: Prometheus exposition at /metrics, checked with the official
/// Python client's parser (Debian's python3-prometheus-client).
@Suite(.serialized) struct MetricsTests {
    static func get(_ port: UInt16, _ path: String, method: String = "GET") -> String {
        raw(port, "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n")
    }

    static func raw(_ port: UInt16, _ text: String) -> String {
        let fd = TestClient.connectTCP(port)
        let request = Array(text.utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return TestClient.readAll(fd)
    }

    @Test func metricsCountConnectionsActivationsAndLatencyInValidExpositionFormat() throws {
        let (port, metricsPort) = (TestClient.freePort(), TestClient.freePort())
        let live = try ControlVerbTests.start([
            "echo.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "echo@.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
            "crash.service": "[Service]\nExecStart=/bin/false\nRestart=always\nRestartSec=0\n",
        ], extra: ["--metrics", "127.0.0.1:\(metricsPort)"])
        defer { live.stop() }
        #expect(TestClient.waitListening(port) && TestClient.waitListening(metricsPort))
        for _ in 0..<3 { _ = TestClient.readAll(TestClient.connectTCP(port)) }
        #expect(try live.run("start", "crash.service").status == 0)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("(result: start-limit-hit)") }, "\(live.wick.log)")

        let response = Self.get(metricsPort, "/metrics")
        let parts = response.components(separatedBy: "\r\n\r\n")
        #expect(parts[0].hasPrefix("HTTP/1.1 200 OK\r\n") && parts[0].contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"))
        let body = parts.dropFirst().joined(separator: "\r\n\r\n")
        let lines = Set(body.split(separator: "\n").map(String.init))
        #expect(lines.contains(#"wick_socket_accepted_total{unit="echo.socket"} 3"#), "\(body)")
        #expect(lines.contains(#"wick_socket_activations_total{unit="echo.socket"} 3"#))
        #expect(lines.contains(#"wick_socket_refused_total{unit="echo.socket"} 0"#))
        #expect(lines.contains(#"wick_activation_latency_seconds_count{socket="echo.socket"} 3"#))
        #expect(lines.contains(#"wick_unit_state{unit="echo.socket",type="socket",state="active"} 1.0"#))
        #expect(lines.contains(#"wick_unit_state{unit="crash.service",type="service",state="failed"} 1.0"#))
        #expect(lines.contains(#"wick_service_start_limit_hits_total{unit="crash.service"} 1"#))
        #expect(lines.contains(#"wick_service_restarts_total{unit="crash.service"} 4"#))

        let parser = "import sys\nfrom prometheus_client.parser import text_string_to_metric_families\nfamilies = list(text_string_to_metric_families(sys.stdin.read()))\nprint(len(families))\n"
        let script = try BinaryRunner.directory(["parse.py": parser, "body.txt": body])
        defer { try? FileManager.default.removeItem(at: script) }
        let parsed = try BinaryRunner.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "/usr/bin/python3 \(script.path)/parse.py < \(script.path)/body.txt"])
        #expect(parsed.status == 0 && parsed.stdout == "8\n", "\(parsed.stdout) \(parsed.stderr)")

        #expect(Self.get(metricsPort, "/other").hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(Self.get(metricsPort, "/metrics", method: "POST").hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(Self.raw(metricsPort, "hello\r\n\r\n").hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(Self.raw(metricsPort, String(repeating: "x", count: 20000)).hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "an oversized head")
    }
}
