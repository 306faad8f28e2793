import CWick
import Glibc
import Testing
import WickCore
@testable import WickDaemon
import WickSystem
import WickUnits

/// The fd store's duplicate check by kcmp(2)'s order (`FDStores.locate`): the same open file is
/// found whatever else is stored, another open of the same file is not a duplicate, and the
/// order stays right as entries leave.
/// Whether kcmp(2) answers here (Docker's default profile refuses it without CAP_SYS_PTRACE;
/// the store then compares fd by fd, which the other fd store tests cover).
private let kernelOrdersFiles = cwick_file_order(0, 0) == 0 || cwick_file_order(1, 1) == 0 || cwick_file_order(2, 2) == 0

@Suite(.enabled(if: kernelOrdersFiles, "needs kcmp(2), which a seccomp profile may refuse"))
struct FDStoreOrderTests {
    @Test func aDuplicateIsFoundAmongManyOpensOfOneFile() throws {
        let epoll = try Epoll()
        let stores = FDStores(epoll: epoll)
        func log(_: LogLevel, _: String) {}
        // 600 opens of /dev/null (each its own open file), then dup()s of 100 of them and 50 new.
        let opens = (0..<600).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        #expect(opens.allSatisfy { $0 >= 0 })
        var left = stores.handle(.store(name: "null", poll: false, invalidName: false), fds: opens, unit: "s.service", max: 2000, log: log)
        #expect(left.isEmpty && stores.entries(of: "s.service").count == 600)
        let copies = opens.prefix(100).map { dup($0) }
        let more = (0..<50).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        left = stores.handle(.store(name: "again", poll: false, invalidName: false), fds: copies + more, unit: "s.service", max: 2000, log: log)
        #expect(left.isEmpty)
        #expect(stores.entries(of: "s.service").count == 650, "the 100 duplicates closed, the 50 new opens stored")
        #expect(stores.entries(of: "s.service").prefix(50).map(\.fd) == more, "the message's fds first")
        // FDSTOREREMOVE: the 600 leave; a dup() of one of the 50 kept is still a duplicate, one of
        // a removed one's number (reused by the kernel) is not.
        _ = stores.handle(.remove(name: "null"), fds: [], unit: "s.service", max: 2000, log: log)
        #expect(stores.entries(of: "s.service").count == 50)
        let late = [dup(more[7]), open("/dev/null", O_RDONLY | O_CLOEXEC)]
        _ = stores.handle(.store(name: "late", poll: false, invalidName: false), fds: late, unit: "s.service", max: 2000, log: log)
        #expect(stores.entries(of: "s.service").count == 51)
        #expect(stores.entries(of: "s.service").first?.fd == late[1], "the dup() of a kept one was the duplicate")
        stores.release("s.service", log: log)
        #expect(stores.entries(of: "s.service").isEmpty)
    }

    @Test func locateBisectsByTheKernelsOrder() {
        let fds = (0..<64).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { fds.forEach { _ = close($0) } }
        var sorted: [Int32] = []
        for fd in fds {
            let place = FDStores.locate(fd, in: sorted)
            #expect(place?.found == false)
            if let index = place?.index { sorted.insert(fd, at: index) }
        }
        #expect(sorted.count == 64)
        for fd in fds { #expect(FDStores.locate(fd, in: sorted)?.found == true) }
        let copy = dup(fds[9])
        defer { _ = close(copy) }
        #expect(FDStores.locate(copy, in: sorted)?.found == true)
    }
}
