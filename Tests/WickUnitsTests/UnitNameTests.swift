import Testing
@testable import WickUnits

@Suite struct UnitNameTests {
    @Test func plainTemplateAndInstance() throws {
        let plain = try UnitName("web.socket")
        #expect(plain.prefix == "web" && plain.instance == nil && plain.type == "socket")
        let template = try UnitName("getty@.service")
        #expect(template.isTemplate && template.templateName == "getty@.service")
        let instance = try UnitName("getty@tty1.service")
        #expect(instance.isInstance && instance.instance == "tty1" && instance.templateName == "getty@.service")
        #expect(try template.instantiated("tty2").name == "getty@tty2.service")
        #expect(instance.stem == "getty@tty1")
    }

    @Test(arguments: ["../etc/passwd.service", "a/b.service", "", "noext", ".service", "x.", "a@b@c.service",
                      "@x.service", "sp ace.service", "x.Service", "notes.txt", "a.conf", String(repeating: "a", count: 256) + ".service"])
    func invalidNames(_ name: String) {
        #expect(throws: ValueError.self) { try UnitName(name) }
    }

    @Test func instanceWithEscapes() throws {
        #expect(try UnitName(#"sshd@3-127.0.0.1:22-127.0.0.1:51234.service"#).instance == "3-127.0.0.1:22-127.0.0.1:51234")
        #expect(try UnitName(#"mount@a\x2db.service"#).instance == #"a\x2db"#)
    }
}
