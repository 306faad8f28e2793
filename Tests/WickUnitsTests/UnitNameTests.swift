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

    /// `instantiated` checks only the instance, with the answer `init` gives for the whole name.
    @Test(arguments: ["tty2", "5-127.0.0.1:80-127.0.0.1:4242", "", "a@b", "sp ace", "x/y", "\\x2d",
                      String(repeating: "i", count: 240), String(repeating: "i", count: 241)])
    func instantiatedAgreesWithParsingTheName(_ instance: String) throws {
        let template = try UnitName("getty@.service")
        let whole = Result { () throws(ValueError) in try UnitName("getty@\(instance).service") }
        let made = Result { () throws(ValueError) in try template.instantiated(instance) }
        switch (whole, made) {
        case (.success(let a), .success(let b)):
            #expect(a == b && a.instance == b.instance && a.prefix == b.prefix && a.type == b.type)
        case (.failure(let a), .failure(let b)): #expect(a == b)
        default: Issue.record("\(instance): \(whole) and \(made) differ")
        }
    }

    @Test(arguments: ["../etc/passwd.service", "a/b.service", "", "noext", ".service", "x.",
                      "@x.service", "sp ace.service", "x.Service", "notes.txt", "a.conf", String(repeating: "a", count: 256) + ".service"])
    func invalidNames(_ name: String) {
        #expect(throws: ValueError.self) { try UnitName(name) }
    }

    /// unit_name_is_valid(): the first '@' ends the prefix, the instance may hold more
    /// (`OnFailure=handler@%n.service` of an instance unit).
    @Test func anInstanceMayHoldAnAt() throws {
        let name = try UnitName("handler@web@a.service.service")
        #expect(name.prefix == "handler" && name.instance == "web@a.service" && name.templateName == "handler@.service")
    }

    @Test func instanceWithEscapes() throws {
        #expect(try UnitName(#"sshd@3-127.0.0.1:22-127.0.0.1:51234.service"#).instance == "3-127.0.0.1:22-127.0.0.1:51234")
        #expect(try UnitName(#"mount@a\x2db.service"#).instance == #"a\x2db"#)
    }
}
