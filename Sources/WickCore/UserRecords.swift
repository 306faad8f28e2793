/// Users and groups from the text of /etc/passwd and /etc/group (no NSS: a static wick resolves
/// names in a scratch image). Pure: the daemon reads the files, this parses and answers.
public struct UserRecords: Sendable, Equatable {
    public struct User: Sendable, Equatable {
        public var name: String
        public var uid: UInt32
        public var gid: UInt32
        public var home: String
        public var shell: String

        public init(name: String, uid: UInt32, gid: UInt32, home: String, shell: String) {
            (self.name, self.uid, self.gid, self.home, self.shell) = (name, uid, gid, home, shell)
        }
    }

    public struct Group: Sendable, Equatable {
        public var name: String
        public var gid: UInt32
        public var members: [String]
    }

    public private(set) var users: [User] = []
    public private(set) var groups: [Group] = []

    public init(passwd: String, group: String) {
        Self.lines(of: passwd) { fields in
            guard fields.count >= 7, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { return }
            users.append(User(name: fields[0], uid: uid, gid: gid, home: fields[5], shell: fields[6]))
        }
        Self.lines(of: group) { fields in
            guard fields.count >= 4, let gid = UInt32(fields[2]) else { return }
            groups.append(Group(name: fields[0], gid: gid,
                                members: fields[3].utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }))
        }
    }

    /// Each non-empty line of `text` as its `:`-separated fields (empty fields kept), cut as bytes
    /// (the separators are ASCII): splitting by Character cost 24,000 instructions per line and
    /// splitting the UTF-8 view into substrings 9,000, read at every start of the daemon.
    private static func lines(of text: String, _ body: ([String]) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            var fields: [String] = []
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                if lineEnd > lineStart {
                    fields.removeAll(keepingCapacity: true)
                    var fieldStart = lineStart
                    for index in lineStart...lineEnd where index == lineEnd || bytes[index] == UInt8(ascii: ":") {
                        fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[fieldStart..<index]), as: UTF8.self))
                        fieldStart = index + 1
                    }
                    body(fields)
                }
                lineStart = lineEnd + 1
            }
        }
    }

    /// A user by name, or by number (systemd's `get_user_creds()`); a number needs an entry too
    /// (systemd 252 fails such a start with 217/USER).
    public func user(_ name: String) -> User? {
        if let found = users.first(where: { $0.name == name }) { return found }
        guard let uid = UInt32(name) else { return nil }
        return users.first { $0.uid == uid }
    }

    /// A group by name, or by number (`get_group_creds()`).
    public func group(_ name: String) -> Group? {
        if let found = groups.first(where: { $0.name == name }) { return found }
        guard let gid = UInt32(name) else { return nil }
        return groups.first { $0.gid == gid }
    }

    /// The groups that list `user` as a member (initgroups(3)), by number, in file order.
    public func memberships(of user: String) -> [UInt32] {
        groups.filter { $0.members.contains(user) }.map { $0.gid }
    }
}
