/// `SystemCallFilter=` as the unit assigns it (systemd's `config_parse_syscall_filter()`): the
/// first assignment decides whether it is an allow list (no `~`; `@default` is then allowed too)
/// or a deny list (`~`); later lines of the same kind add to it, of the other kind remove from it.
public struct SyscallFilterSetting: Hashable, Sendable {
    public struct Operation: Hashable, Sendable {
        /// A system call or an `@set`.
        public var name: String
        /// `name:errno`: this entry's own errno.
        public var errno: Int32?
        public var remove: Bool
    }

    public var allowList: Bool
    public var operations: [Operation] = []

    /// One assignment; `current` nil means not set yet. Unknown names are skipped (systemd ignores
    /// them) and reported by the thrown error after the rest applied.
    public static func assign(_ value: String, to current: inout SyscallFilterSetting?) throws(ValueError) {
        if value.isEmpty {
            current = nil
            return
        }
        let invert = value.hasPrefix("~")
        var setting = current ?? SyscallFilterSetting(allowList: !invert)
        var unknown: [String] = [], malformed: [String] = []
        for word in value.dropFirst(invert ? 1 : 0).split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            // Empty parts kept: a word of ":" alone has no name (omitting them left no part to
            // read, and the daemon trapped on a unit line; found by fuzzing). A malformed word is
            // skipped and the others apply, as systemd's "Failed to parse syscall:errno, ignoring".
            let parts = word.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts.first ?? "")
            var errno: Int32?
            if parts.count == 2, let errnoText = parts.last {
                guard let number = ErrnoNames.number(String(errnoText)) else { malformed.append(String(word)); continue }
                errno = number
            }
            guard !name.isEmpty else { malformed.append(String(word)); continue }
            guard name.hasPrefix("@") ? SyscallGroups.sets[name] != nil : SyscallGroups.isKnown(name) else {
                unknown.append(name)
                continue
            }
            setting.operations.append(Operation(name: name, errno: errno, remove: invert == setting.allowList))
        }
        current = setting
        var problems: [String] = []
        if !malformed.isEmpty { problems.append("expected a system call or @set with an optional :errno (EPERM, 13 ...), got \(malformed.joined(separator: ", "))") }
        if !unknown.isEmpty { problems.append("unknown system call or set \(unknown.joined(separator: ", "))") }
        if !problems.isEmpty { throw ValueError(problems.joined(separator: "; ") + ", ignored (the others apply)") }
    }
}

/// `RestrictAddressFamilies=`: an allow list (`none` allows nothing) or a deny list (`~`); later
/// lines add or remove as for `SystemCallFilter=`.
public struct AddressFamilySetting: Hashable, Sendable {
    public var allowList: Bool
    public var families: Set<Int32> = []

    public static func assign(_ value: String, to current: inout AddressFamilySetting?) throws(ValueError) {
        if value.isEmpty {
            current = nil
            return
        }
        if value == "none" {
            current = AddressFamilySetting(allowList: true)
            return
        }
        let invert = value.hasPrefix("~")
        var setting = current ?? AddressFamilySetting(allowList: !invert)
        for word in value.dropFirst(invert ? 1 : 0).split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard let family = AddressFamilies.number(String(word)) else {
                throw .expected("address families such as AF_UNIX AF_INET AF_INET6", got: String(word))
            }
            if invert == !setting.allowList { setting.families.insert(family) } else { setting.families.remove(family) }
        }
        current = setting
    }
}

/// Errno names for `SystemCallErrorNumber=` and `name:errno` (Linux, errno-base.h and errno.h).
public enum ErrnoNames {
    public static let numbers: [String: Int32] = [
        "EPERM": 1, "ENOENT": 2, "ESRCH": 3, "EINTR": 4, "EIO": 5, "ENXIO": 6, "E2BIG": 7, "ENOEXEC": 8, "EBADF": 9,
        "ECHILD": 10, "EAGAIN": 11, "ENOMEM": 12, "EACCES": 13, "EFAULT": 14, "ENOTBLK": 15, "EBUSY": 16, "EEXIST": 17,
        "EXDEV": 18, "ENODEV": 19, "ENOTDIR": 20, "EISDIR": 21, "EINVAL": 22, "ENFILE": 23, "EMFILE": 24, "ENOTTY": 25,
        "ETXTBSY": 26, "EFBIG": 27, "ENOSPC": 28, "ESPIPE": 29, "EROFS": 30, "EMLINK": 31, "EPIPE": 32, "EDOM": 33,
        "ERANGE": 34, "EDEADLK": 35, "ENAMETOOLONG": 36, "ENOLCK": 37, "ENOSYS": 38, "ENOTEMPTY": 39, "ELOOP": 40,
        "ENODATA": 61, "ETIME": 62, "ENOLINK": 67, "EPROTO": 71, "EOVERFLOW": 75, "EILSEQ": 84, "EUSERS": 87,
        "ENOTSOCK": 88, "EDESTADDRREQ": 89, "EMSGSIZE": 90, "EPROTOTYPE": 91, "ENOPROTOOPT": 92,
        "EPROTONOSUPPORT": 93, "ESOCKTNOSUPPORT": 94, "EOPNOTSUPP": 95, "ENOTSUP": 95, "EPFNOSUPPORT": 96,
        "EAFNOSUPPORT": 97, "EADDRINUSE": 98, "EADDRNOTAVAIL": 99, "ENETDOWN": 100, "ENETUNREACH": 101,
        "ECONNABORTED": 103, "ECONNRESET": 104, "ENOBUFS": 105, "EISCONN": 106, "ENOTCONN": 107, "ETIMEDOUT": 110,
        "ECONNREFUSED": 111, "EHOSTUNREACH": 113, "EALREADY": 114, "EINPROGRESS": 115, "EDQUOT": 122,
        "ECANCELED": 125, "EOWNERDEAD": 130,
    ]

    /// A name or a number 0-4095.
    public static func number(_ text: String) -> Int32? {
        if let value = Int32(text), value >= 0, value < 4096 { return value }
        return numbers[text]
    }
}
