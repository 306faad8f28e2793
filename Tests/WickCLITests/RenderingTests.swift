import Glibc
import Testing
@testable import WickCLI
@testable import WickDaemon

/// The pure pieces of the CLI and the daemon's HTTP endpoint, in process.
@Suite(.serialized) struct RenderingTests {
    init() {
        setenv("TZ", "UTC", 1)
        tzset()
    }

    @Test func tablesAlignColumnsAndLeaveTheLastUnpadded() {
        #expect(Table.render(["A", "BB", "C"], [["xxx", "y", "z z"], ["1", "22", ""]]) == "A   BB C\nxxx y  z z\n1   22\n")
    }

    @Test(arguments: [(850.0, "850us"), (1234.0, "1.2ms"), (20_701.0, "20.7ms"), (3_400_000.0, "3.40s"), (1_005_000.0, "1.00s")])
    func latenciesAreShort(_ microseconds: Double, _ text: String) {
        #expect(ListSockets.latency(microseconds: microseconds) == text)
    }

    /// A service's `STATUS=` cannot drive the terminal through `wick status`.
    @Test func statusTextIsPrintedWithControlCharactersEscaped() {
        #expect(StatusRenderer.printable("ready: 5 clients") == "ready: 5 clients")
        #expect(StatusRenderer.printable("\u{1B}[2J\u{07}x\ry\tz\u{7F}é") == "\\x1b[2J\\x07x\\x0dy\\tz\\x7fé")
        #expect(StatusRenderer.printable("a\u{9B}2Jb") == "a\\u009b2Jb", "C1's one-character CSI")
    }

    @Test func sinceTakesJournalctlsFormats() {
        let now: Int64 = 1_795_431_992_000_000
        #expect(SinceParser.parse("@100", now: now) == 100_000_000)
        #expect(SinceParser.parse("now", now: now) == now)
        #expect(SinceParser.parse("5min ago", now: now) == now - 300_000_000)
        #expect(SinceParser.parse("-1h 30min", now: now) == now - 5_400_000_000)
        #expect(SinceParser.parse("2026-11-23 10:00:05", now: now) == 1_795_428_005_000_000)
        #expect(SinceParser.parse("2026-11-23", now: now) == 1_795_392_000_000_000)
        #expect(SinceParser.parse("today", now: now) == 1_795_392_000_000_000)
        #expect(SinceParser.parse("yesterday", now: now) == 1_795_305_600_000_000)
        #expect(SinceParser.parse("10:00", now: now) == 1_795_428_000_000_000)
        for bad in ["", "soon", "2026-13-01", "25:00", "10:61", "5 parsecs ago", "2026-11-23 10:00 extra", "-infinity"] {
            #expect(SinceParser.parse(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test func theMetricsEndpointAnswersOnlyCompleteGetRequestsForMetrics() {
        let body = { Array("m 1\n".utf8) }
        let answer = { (text: String) in MetricsServer.response(to: Array(text.utf8), body: body).map { String(decoding: $0, as: UTF8.self) } }
        #expect(answer("GET /metrics HTTP/1.1\r\nHost: x\r\n") == nil, "the head is not complete yet")
        #expect(answer("GET /metrics?x=1 HTTP/1.1\r\n\r\n") == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 4\r\nConnection: close\r\n\r\nm 1\n")
        #expect(answer("GET / HTTP/1.0\r\n\r\n")?.hasPrefix("HTTP/1.1 404 Not Found\r\n") == true)
        #expect(answer("DELETE /metrics HTTP/1.1\r\n\r\n")?.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") == true)
        #expect(answer("GET /metrics SPDY/3\r\n\r\n")?.hasPrefix("HTTP/1.1 400 Bad Request\r\n") == true)
        #expect(answer(String(repeating: "a", count: 9000))?.hasPrefix("HTTP/1.1 400 Bad Request\r\n") == true)
    }

    @Test func statusRendersLikeSystemctl() {
        let report = UnitReport(JSONValueFixture.service)
        let text = StatusRenderer.unit(report, now: 1_795_431_992_034_645 + 3_000_000)
        #expect(text == """
            × web.service - Web
                 Loaded: loaded (/srv/web.service)
                Drop-In: /srv/web.service.d/a.conf
                 Active: failed (dead) (Result: exit-code) since Mon 2026-11-23 11:06:32 UTC; 3s ago
            TriggeredBy: web.socket
                Process: 7 ExecStart=/srv/web --serve (code=killed, signal=KILL)
               Main PID: 7 (code=killed, signal=KILL)
                 Status: "bye"
               Restarts: 2

            Nov 23 11:06:32 web.service[7]: last words

            """)
    }
}

import WickControl

enum JSONValueFixture {
    static let service: JSONValue = .object([
        ("unit", .string("web.service")), ("description", .string("Web")), ("load", .string("loaded")), ("type", .string("service")),
        ("active", .string("failed")), ("sub", .string("dead")), ("result", .string("exit-code")),
        ("since", .number(1_795_431_992_034_645)), ("main_pid", .null), ("exec_main_pid", .number(7)),
        ("exec_main_command", .string("/srv/web --serve")), ("control_pid", .null), ("status_text", .string("bye")),
        ("restarts", .number(2)), ("triggered_by", .array([.string("web.socket")])), ("exit_code", .string("killed")),
        ("exit_status", .number(9)), ("fragment", .string("/srv/web.service")), ("dropins", .array([.string("/srv/web.service.d/a.conf")])),
        ("log", .array([.object([("unit", .string("web.service")), ("pid", .number(7)), ("time", .number(1_795_431_992_110_919)), ("text", .string("last words"))])])),
    ])
}
