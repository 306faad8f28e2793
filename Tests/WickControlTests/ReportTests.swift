import Testing
@testable import WickControl

/// The typed answers of the control protocol: what the daemon writes reads back the same, and
/// what a client cannot trust (huge numbers, missing members, deep trees) reads safely.
@Suite struct ReportTests {
    static let socket = UnitReport(
        unit: "web.socket", description: "Web", load: "loaded", unitFileState: "enabled", active: "active", sub: "listening",
        result: "success", since: 1_795_431_992_034_645, fragment: "/u/web.socket", dropIns: ["/u/web.socket.d/a.conf"],
        details: .socket(SocketDetails(listen: [.init(address: "127.0.0.1:80", type: "Stream")], accept: true, triggers: ["web@.service"],
                                       accepted: 3, connections: 1, refused: 0, activations: 3, lastLatencyMicroseconds: 850)),
        ipIngressBytes: 100, ipEgressBytes: 200)
    static let service = UnitReport(
        unit: "web.service", description: "Web", load: "loaded", unitFileState: "static", active: "failed", sub: "failed",
        result: "exit-code", details: .service(ServiceDetails(
            execMainPID: 7, execMainCommand: "/srv/web --serve", statusText: "bye", sandboxSkipped: ["PrivateTmp="], cgroup: "/wick.slice/web.service",
            cgroupProcesses: [8, 9], restarts: 2, triggeredBy: ["web.socket"], memoryCurrent: 4096, tasksCurrent: 1, cpuUsageNanoseconds: 25_000_000,
            exit: .init(code: .exited, status: 203, statusText: "203/EXEC"))),
        log: [LogLine(unit: "web.service", pid: 7, time: 1_795_431_992_110_919, text: "last words", priority: 3, identifier: "web")])

    @Test func reportsSurviveTheWire() throws {
        for report in [Self.socket, Self.service] {
            #expect(UnitReport(try JSONValue.parse(report.json.serialized)) == report)
        }
        let system = SystemReport(state: "degraded", pid: 1, since: 5, sinceMonotonicMicroseconds: 6, units: 3, failed: 1, unitDirectories: ["/u"])
        #expect(SystemReport(try JSONValue.parse(system.json.serialized)) == system)
        let job = JobReport(id: 4, unit: "a.service", type: "start", state: "waiting", waitingFor: ["b.service"])
        #expect(JobReport(try JSONValue.parse(job.json.serialized)) == job)
        let properties = UnitProperties(unit: "a.socket", properties: [.init("Listen", "1 (Stream)"), .init("Listen", "2 (Stream)")])
        #expect(UnitProperties(try JSONValue.parse(properties.json.serialized)) == properties && properties["Listen"] == "1 (Stream)")
        let sources = UnitSources(unit: "a.service", files: [.init(path: "/u/a.service", contents: "[Service]\n"), .init(path: "/gone", contents: nil)])
        #expect(UnitSources(try JSONValue.parse(sources.json.serialized)) == sources)
    }

    @Test func untrustedNumbersAndShapesReadSafely() throws {
        let hostile = try JSONValue.parse(#"{"unit":"x","type":"service","main_pid":1e300,"restarts":-5,"since":-1e300,"memory_current":"lots","cgroup_processes":[1e20,-1e20,"x"]}"#)
        let report = UnitReport(hostile)
        #expect(report.service?.mainPID == Int32.max && report.service?.restarts == 0 && report.since == Int64.min)
        #expect(report.service?.memoryCurrent == nil && report.service?.cgroupProcesses == [Int32.max, Int32.min])
        #expect(UnitReport(.null).unit == "" && UnitReport(.null).details == nil)
        let old = LogLine(try JSONValue.parse(#"{"unit":"a.service","pid":3,"time":5,"text":"hi"}"#))
        #expect(old.priority == 6 && old.identifier == "a.service", "a daemon without priorities: info, the unit's name")
        var deep: JSONValue = .object([("unit", .string("leaf"))])
        for _ in 0..<200 { deep = .object([("unit", .string("n")), ("children", .array([deep]))]) }
        var depth = 0, node: DependencyNode? = DependencyNode(deep)
        while let current = node { depth += 1; node = current.children.first }
        #expect(depth == 65, "a tree from the wire is read to a bounded depth")
    }
}
