import CWick
import Glibc
import WickCore
import WickSystem
import WickUnits

/// The services' file descriptor stores (systemd.service(5) `FileDescriptorStoreMax=`, sd_notify(3)
/// `FDSTORE=1`): the fds a service hands wick to keep across its restarts, passed again to its next
/// `ExecStart=` after its sockets' (sd_listen_fds(3)). The one owner of every stored fd: each is
/// closed here, at a hang-up, at `FDSTOREREMOVE=1`, or when its store is released.
final class FDStores {
    /// Tokens of stored fds have bit 60 set, apart from the other owners' tokens.
    static let tokenBit: UInt64 = 1 << 60

    struct Entry {
        let fd: Int32
        let name: String
        /// Its file's device and inode: only an fd of the same file can be a duplicate, so the
        /// kcmp(2) of same_fd() runs for those alone (a store of thousands is not compared fd by
        /// fd, a system call each, for every fd a message brings).
        let device: UInt64
        let inode: UInt64
        /// The registration watching it for a hang-up (events 0: EPOLLHUP and EPOLLERR only); nil
        /// with `FDPOLL=0` or for an fd epoll cannot watch (a regular file: EPERM).
        let token: UInt64?
    }

    private let epoll: Epoll
    /// Per service, the newest first (systemd's LIST_PREPEND): the order they are passed in.
    private var stores: [UnitID: [Entry]] = [:]
    /// Per service, its stored fds in kcmp(2)'s order of their open files: a new fd is looked up
    /// among them by bisection, a system call a step. (Compared with each stored fd of the same
    /// file, as systemd's service_add_fd_store() compares it with every one, 10,000 fds opened on
    /// one file held the loop for 50 s.) Left empty, and the comparison made entry by entry,
    /// where the kernel gives no order (`ordered` false).
    private var fileOrder: [UnitID: [Int32]] = [:]
    private var ordered = true
    private var unitOfToken: [UInt64: UnitID] = [:]
    private var nextToken: UInt64 = 0

    init(epoll: Epoll) { self.epoll = epoll }

    func entries(of unit: UnitID) -> [Entry] { stores.isEmpty ? [] : stores[unit] ?? [] }

    func owns(_ token: UInt64) -> Bool { token & Self.tokenBit != 0 }

    /// What an accepted notification asks of `unit`'s store, with the fds it carried; returns the
    /// fds left to close ("extra auxiliary fds", as systemd's manager closes them).
    func handle(_ request: NotifyMessage.FDStoreRequest?, fds: [Int32], unit: UnitID, max: UInt32,
                log: (LogLevel, String) -> Void) -> [Int32] {
        switch request {
        case nil:
            return fds
        case .removeWithoutName:
            log(.warning, "\(unit): FDSTOREREMOVE=1 requested, but no valid file descriptor name passed, ignoring.")
            return fds
        case .remove(let name):
            remove(named: name, from: unit, log: log)
            return fds
        case .store(let name, let poll, let invalidName):
            if invalidName { log(.warning, "\(unit): Passed FDNAME= name is invalid, ignoring.") }
            return add(fds, name: name, poll: poll, to: unit, max: Int(max), log: log)
        }
    }

    /// systemd's service_add_fd_store_set(): each fd in turn (service_add_fd_store()), until the
    /// store is full; a duplicate of a stored fd (the same open file) is closed and the entry
    /// keeps its name. Returns the fds not taken.
    private func add(_ fds: [Int32], name: String, poll: Bool, to unit: UnitID, max: Int,
                     log: (LogLevel, String) -> Void) -> [Int32] {
        var entries = stores[unit] ?? []
        var sorted = fileOrder.removeValue(forKey: unit) ?? []
        // The message's fds in their order, ahead of the older entries (put there once).
        var fresh: [Entry] = []
        defer {
            entries.insert(contentsOf: fresh, at: 0)
            stores[unit] = entries.isEmpty ? nil : entries
            if ordered && !sorted.isEmpty { fileOrder[unit] = sorted }
        }
        for (index, fd) in fds.enumerated() {
            guard entries.count + fresh.count < max else {
                closeDescriptor(fd)
                log(.warning, "\(unit): Cannot store more fds than FileDescriptorStoreMax=\(max), closing remaining.")
                return Array(fds[(index + 1)...])
            }
            // service_add_fd_store(): fstat() first; an fd that cannot be looked at is refused.
            var status = stat()
            guard fstat(fd, &status) == 0 else {
                let reason = String(cString: strerror(errno))
                closeDescriptor(fd)
                log(.err, "\(unit): Failed to add fd to store: \(reason)")
                return Array(fds[(index + 1)...])
            }
            let (device, inode) = (UInt64(status.st_dev), UInt64(status.st_ino))
            var located = ordered ? Self.locate(fd, in: sorted) : nil
            if ordered && located == nil {
                ordered = false
                fileOrder = [:]
                sorted = []
            }
            let duplicate = located?.found ?? (entries + fresh).contains {
                $0.inode == inode && $0.device == device && cwick_same_file($0.fd, fd) == 1
            }
            if duplicate {
                log(.debug, "\(unit): Suppressing duplicate fd \(fd) in fd store.")
                closeDescriptor(fd)
                continue
            }
            var token: UInt64?
            if poll {
                nextToken += 1
                do throws(SystemError) {
                    try epoll.add(fd, token: Self.tokenBit | nextToken, readable: false)
                    token = Self.tokenBit | nextToken
                    unitOfToken[Self.tokenBit | nextToken] = unit
                } catch where error.code == EPERM {
                    // Not pollable (a regular file, a directory): stored, never dropped by a hang-up.
                } catch {
                    closeDescriptor(fd)
                    log(.err, "\(unit): Failed to add fd to store: \(error.reason)")
                    return Array(fds[(index + 1)...])
                }
            }
            fresh.append(Entry(fd: fd, name: name, device: device, inode: inode, token: token))
            if let position = located?.index, ordered { sorted.insert(fd, at: position) }
            located = nil
            log(.debug, "\(unit): Added fd \(fd) (\(name)) to fd store.")
        }
        return []
    }

    /// `FDSTOREREMOVE=1`: every entry named `name` is closed (service_remove_fd_store()).
    private func remove(named name: String, from unit: UnitID, log: (LogLevel, String) -> Void) {
        guard var entries = stores[unit] else { return }
        entries.removeAll { entry in
            guard entry.name == name else { return false }
            log(.debug, "\(unit): Got explicit request to remove fd \(entry.fd) (\(name)), closing.")
            close(entry)
            return true
        }
        stores[unit] = entries.isEmpty ? nil : entries
        keepOrder(of: unit)
    }

    /// A stored fd hung up (its peer closed, an error): it leaves the store (on_fd_store_io()).
    func hungUp(_ token: UInt64, log: (LogLevel, String) -> Void) {
        guard let unit = unitOfToken[token], var entries = stores[unit],
              let index = entries.firstIndex(where: { $0.token == token }) else { return }
        let entry = entries.remove(at: index)
        var polled = pollfd(fd: entry.fd, events: 0, revents: 0)
        let event = Glibc.poll(&polled, 1, 0) == 1 && polled.revents & Int16(POLLERR) != 0 ? "EPOLLERR" : "EPOLLHUP"
        log(.debug, "\(unit): Received \(event) on stored fd \(entry.fd) (\(entry.name)), closing.")
        close(entry)
        stores[unit] = entries.isEmpty ? nil : entries
        if let index = fileOrder[unit]?.firstIndex(of: entry.fd) { fileOrder[unit]?.remove(at: index) }
        if fileOrder[unit]?.isEmpty == true { fileOrder[unit] = nil }
    }

    /// Every stored fd of `unit` closes (service_release_fd_store()).
    func release(_ unit: UnitID, log: (LogLevel, String) -> Void) {
        guard !stores.isEmpty, let entries = stores.removeValue(forKey: unit) else { return }
        log(.debug, "\(unit): Releasing all stored fds")
        entries.forEach(close)
        fileOrder[unit] = nil
    }

    /// After a reload, as systemd's deserialization adds each entry again (newest first, each
    /// ahead of the last): the order turns round, and a lowered `FileDescriptorStoreMax=` drops
    /// the oldest entries beyond it. `max` is nil for a unit wick no longer knows: its store goes.
    func reloaded(max: (UnitID) -> UInt32?, log: (LogLevel, String) -> Void) {
        for (unit, entries) in stores {
            guard let limit = max(unit).map(Int.init) else {
                release(unit, log: log)
                continue
            }
            for entry in entries.dropFirst(limit) {
                log(.debug, "\(unit): Failed to store deserialized fd '\(entry.name)', ignoring: Exchange full")
                close(entry)
            }
            let kept = Array(entries.prefix(limit).reversed())
            stores[unit] = kept.isEmpty ? nil : kept
            keepOrder(of: unit)
        }
    }

    /// Where `fd`'s open file sits among `sorted` (kcmp order): whether one of them is it, or the
    /// place it goes; nil when the kernel gives no order.
    static func locate(_ fd: Int32, in sorted: [Int32]) -> (found: Bool, index: Int)? {
        var low = 0, high = sorted.count
        while low < high {
            let middle = low + (high - low) / 2
            switch cwick_file_order(sorted[middle], fd) {
            case 0: return (true, middle)
            case -1: low = middle + 1
            case 1: high = middle
            default: return nil
            }
        }
        return (false, low)
    }

    /// After entries left `unit`'s store: its order keeps the fds still stored.
    private func keepOrder(of unit: UnitID) {
        guard let sorted = fileOrder[unit] else { return }
        let stored = Set((stores[unit] ?? []).map(\.fd))
        let kept = sorted.filter { stored.contains($0) }
        fileOrder[unit] = kept.isEmpty ? nil : kept
    }

    private func close(_ entry: Entry) {
        if let token = entry.token {
            // Before the close: the registration would outlive this fd while the service's copy
            // of the same open file lives.
            epoll.remove(entry.fd)
            unitOfToken[token] = nil
        }
        closeDescriptor(entry.fd)
    }
}
