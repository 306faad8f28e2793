import Testing
@testable import WickUnits

/// systemd.resource-control(5) values as systemd's load-fragment.c parses them.
@Suite struct ResourceControlTests {
    @Test func socketBindRulesParseAndPrintAsSystemd() throws {
        let cases: [(String, String)] = [
            ("any", "any"), ("ipv4", "ipv4:any"), ("tcp", "tcp:any"), ("ipv6:tcp", "ipv6:tcp:any"), ("8080", "8080"),
            ("ipv6:10000-65535", "ipv6:10000-65535"), ("ipv4:udp:53", "ipv4:udp:53"), ("udp:1-1", "udp:1"),
        ]
        for (text, printed) in cases { #expect(try SocketBindRule.parse(text).description == printed, "\(text)") }
        #expect(try SocketBindRule.parse("ipv6:tcp:443") == SocketBindRule(family: .ipv6, transport: .tcp, ports: 443...443))
        for bad in ["", "0", "65536", "tcp:ipv4", "ipv4:ipv6", "80:tcp", "100-10", "ipv4::80", "sctp", "any:tcp"] {
            #expect(throws: ValueError.self, "\(bad)") { try SocketBindRule.parse(bad) }
        }
    }

    @Test func limitsAndSharesResolve() throws {
        func size(_ text: String) throws(ValueError) -> UInt64 { try ByteSize.parse(text) }
        #expect(try CgroupLimit.parse("512M", allowZero: false, absolute: size) == .absolute(512 << 20))
        #expect(try CgroupLimit.parse("infinity", allowZero: false, absolute: size) == .infinity)
        #expect(try CgroupLimit.parse("50%", allowZero: false, absolute: size).resolved(total: 1000) == 500)
        #expect(try CgroupLimit.parse("2.5%", allowZero: false, absolute: size).resolved(total: 1000) == 25)
        #expect(try CgroupLimit.parse("5‰", allowZero: false, absolute: size).resolved(total: 1000) == 5)
        #expect(try CgroupLimit.parse("1‱", allowZero: false, absolute: size).resolved(total: 10_000) == 1)
        #expect(try CgroupLimit.parse("0", allowZero: true, absolute: size) == .absolute(0))
        #expect(throws: ValueError.self) { try CgroupLimit.parse("0", allowZero: false, absolute: size) }
        #expect(throws: ValueError.self) { try CgroupLimit.parse("x%", allowZero: false, absolute: size) }
        #expect(CgroupLimit.share(permyriad: 10_000).resolved(total: .max) == .max, "no overflow")
        #expect(CgroupLimit.share(permyriad: 20_000).resolved(total: .max) == .max, "saturated, not a trap")
        #expect(CgroupLimit.share(permyriad: 20_000).resolved(total: 1000) == 2000)
    }

    @Test func directivesFillTheResourceControl() {
        let unit = buildUnit("a.service", """
            [Service]
            ExecStart=/bin/true
            MemoryMax=1G
            MemoryHigh=80%
            MemoryLow=0
            CPUQuota=150%
            CPUQuotaPeriodSec=10ms
            CPUShares=2048
            IOWeight=500
            TasksMax=infinity
            SocketBindAllow=ipv4:tcp:8080
            SocketBindDeny=any
            OOMPolicy=kill
            """)
        #expect(messages(unit, .error).isEmpty && messages(unit, .warning).isEmpty, "\(unit.diagnostics)")
        let resources = unit.settings.service.exec.resources
        #expect(resources.memoryMax == .absolute(1 << 30) && resources.memoryHigh == .share(permyriad: 8000) && resources.memoryLow == .absolute(0))
        #expect(resources.cpuQuotaPerSecond == 1_500_000 && resources.cpuQuotaPeriod == 10_000 && resources.cpuWeight == 200)
        #expect(resources.ioWeight == 500 && resources.tasksMax == .infinity)
        #expect(resources.socketBindAllow.map(\.description) == ["ipv4:tcp:8080"] && resources.socketBindDeny.map(\.description) == ["any"])
        #expect(unit.settings.service.oomPolicy == .kill)
        #expect(resources.controllerSettings.map(\.directive) == ["MemoryLow", "MemoryHigh", "MemoryMax", "CPUWeight", "CPUQuota", "IOWeight", "TasksMax"])
    }

    @Test func badValuesNameTheDirective() {
        let unit = buildUnit("a.service", """
            [Service]
            ExecStart=/bin/true
            MemoryMax=0
            CPUQuota=0%
            CPUWeight=10001
            TasksMax=many
            SocketBindDeny=sctp:80
            OOMPolicy=maybe
            """)
        let errors = messages(unit, .error)
        for directive in ["MemoryMax=", "CPUQuota=", "CPUWeight=", "TasksMax=", "SocketBindDeny=", "OOMPolicy="] {
            #expect(errors.contains { $0.hasPrefix(directive) }, "\(directive) in \(errors)")
        }
        // An empty assignment resets, as in systemd.
        let reset = buildUnit("b.service", "[Service]\nExecStart=/bin/true\nMemoryMax=1G\nMemoryMax=\nSocketBindDeny=any\nSocketBindDeny=\n")
        #expect(reset.settings.service.exec.resources.memoryMax == nil && reset.settings.service.exec.resources.socketBindDeny.isEmpty)
    }
}
