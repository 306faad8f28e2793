import Testing
@testable import WickCore

/// The passwd(5)/group(5) reader: fields cut as bytes, the same records as the straightforward
/// split on the files' edge forms (blank lines, empty fields, no final newline, short or
/// non-numeric lines, non-ASCII names).
@Suite struct UserRecordsTests {
    /// The reference: split the UTF-8 view, then each field, keeping empty fields.
    static func reference(passwd: String, group: String) -> (users: [UserRecords.User], groups: [UserRecords.Group]) {
        func fields(_ line: Substring.UTF8View) -> [String] {
            line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map { String(Substring($0)) }
        }
        var users: [UserRecords.User] = [], groups: [UserRecords.Group] = []
        for line in passwd.utf8.split(separator: UInt8(ascii: "\n")) {
            let f = fields(line)
            guard f.count >= 7, let uid = UInt32(f[2]), let gid = UInt32(f[3]) else { continue }
            users.append(.init(name: f[0], uid: uid, gid: gid, home: f[5], shell: f[6]))
        }
        for line in group.utf8.split(separator: UInt8(ascii: "\n")) {
            let f = fields(line)
            guard f.count >= 4, let gid = UInt32(f[2]) else { continue }
            groups.append(.init(name: f[0], gid: gid, members: f[3].utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }))
        }
        return (users, groups)
    }

    static let passwdForms = [
        "", "\n", "\n\n", "root:x:0:0:root:/root:/bin/bash", "root:x:0:0:root:/root:/bin/bash\n",
        "a:x:1:2:::\n\nb:x:3:4:gecos:/h:/s:extra\n", "short:x:1:2:g:/h\n", "nan:x:one:2:g:/h:/s\n",
        "big:x:4294967296:1:g:/h:/s\n", "crlf:x:5:5:g:/h:/bin/sh\r\n", "émile:x:1000:1000:Émile:/home/émile:/bin/sh\n",
        ":x:7:7:::\n", "neg:x:-1:1:g:/h:/s\n", "sp:x: 8:8:g:/h:/s\n",
    ]
    static let groupForms = [
        "", "root:x:0:\n", "log:x:4:web,other\n", "log:x:4:,web,,other,\n", "g:x:5\n", "g:x:five:a\n",
        "crlf:x:6:a,b\r\n", "ünï:x:7:émile\n", "last:x:8:z",
    ]

    @Test(arguments: passwdForms)
    func passwdLinesReadAsTheSplitReadsThem(_ passwd: String) {
        let records = UserRecords(passwd: passwd, group: "")
        #expect(records.users == Self.reference(passwd: passwd, group: "").users)
    }

    @Test(arguments: groupForms)
    func groupLinesReadAsTheSplitReadsThem(_ group: String) {
        let records = UserRecords(passwd: "", group: group)
        #expect(records.groups == Self.reference(passwd: "", group: group).groups)
    }

    @Test func aWholeFileGivesItsUsersAndGroupsInOrder() {
        let passwd = Self.passwdForms.joined(separator: "\n"), group = Self.groupForms.joined(separator: "\n")
        let records = UserRecords(passwd: passwd, group: group)
        let reference = Self.reference(passwd: passwd, group: group)
        #expect(records.users == reference.users && records.groups == reference.groups)
        #expect(records.users.map(\.name).prefix(3) == ["root", "root", "a"] && records.user("émile")?.home == "/home/émile")
        #expect(records.group("log")?.members == ["web", "other"] && records.memberships(of: "émile") == [7])
    }
}
