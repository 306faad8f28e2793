import Foundation
import Glibc
import Testing
@testable import WickSystem
import WickUnits

/// The plan's strings in one allocation (`CStringBlock`): each ends with a NUL at its own place,
/// and the child gets argv and the environment byte for byte, empty and non-ASCII ones too.
@Suite struct SpawnPlanStringsTests {
    @Test func eachStringIsCopiedWholeAndEndedByANul() {
        let strings = ["", "a", "héllo wörld", String(repeating: "x", count: 300), "in\0side", ""]
        let block = CStringBlock(strings)
        defer { block.deallocate() }
        #expect(block.pointers.count == strings.count)
        #expect(block.pointers.map { String(cString: $0) } == ["", "a", "héllo wörld", String(repeating: "x", count: 300), "in", ""])
        // Back to back: each string starts right after the previous one's NUL.
        for index in 1..<strings.count {
            #expect(block.pointers[index] == block.pointers[index - 1] + strings[index - 1].utf8.count + 1)
        }
        let mixed = CStringBlock(["a"], variables: [EnvironmentVariable(name: "N", value: "v=w"), EnvironmentVariable(name: "É", value: "")])
        defer { mixed.deallocate() }
        #expect(mixed.pointers.map { String(cString: $0) } == ["a", "N=v=w", "É="])
        #expect(mixed.pointers[2] == mixed.pointers[1] + "N=v=w".utf8.count + 1)
        let none = CStringBlock([])
        defer { none.deallocate() }
        #expect(none.pointers.isEmpty)
    }

    @Test(arguments: [false, true])
    func theChildGetsArgvAndTheEnvironmentByteForByte(asVariables: Bool) throws {
        var pipe: [Int32] = [0, 0]
        #expect(Glibc.pipe(&pipe) == 0)
        for fd in pipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let script = "printf '%s|' \"$0\" \"$1\" \"$2\"; printf '%s|' \"$FIRST\" \"$SECOND\" \"$EXTRA\" \"${EMPTY-unset}\""
        let arguments = ["/bin/sh", "-c", script, "zéro", ""]
        let plan = asVariables
            ? SpawnPlan(path: "/bin/sh", arguments: arguments, variables: [
                EnvironmentVariable(name: "FIRST", value: "ünï"), EnvironmentVariable(name: "SECOND", value: ""),
                EnvironmentVariable(name: "EMPTY", value: ""),
            ])
            : SpawnPlan(path: "/bin/sh", arguments: arguments, environment: ["FIRST=ünï", "SECOND=", "EMPTY="])
        let pid = try plan.spawn(fds: [], stdin: .null, stdout: .fd(pipe[1]), extraEnvironment: ["EXTRA=x y"], newSession: false).get()
        close(pipe[1])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(pipe[0], &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        close(pipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        #expect(String(decoding: output, as: UTF8.self) == "zéro|||ünï||x y||")
    }
}
