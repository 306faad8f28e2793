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
        let script = "printf '%s|' \"$0\" \"$1\" \"$2\"; printf '%s|' \"$FIRST\" \"$SECOND\" \"$EXTRA\" \"${EMPTY-unset}\""
        let arguments = ["/bin/sh", "-c", script, "zéro", ""]
        let plan = asVariables
            ? SpawnPlan(path: "/bin/sh", arguments: arguments, variables: [
                EnvironmentVariable(name: "FIRST", value: "ünï"), EnvironmentVariable(name: "SECOND", value: ""),
                EnvironmentVariable(name: "EMPTY", value: ""),
            ])
            : SpawnPlan(path: "/bin/sh", arguments: arguments, environment: ["FIRST=ünï", "SECOND=", "EMPTY="])
        #expect(try Self.output(of: plan, extraEnvironment: ["EXTRA=x y"]) == "zéro|||ünï||x y||")
    }

    /// What the plan's process writes to its standard output, once it has ended.
    static func output(of plan: SpawnPlan, extraEnvironment: [String], replacing: [(slot: Int, variable: EnvironmentVariable)] = []) throws -> String {
        var pipe: [Int32] = [0, 0]
        #expect(Glibc.pipe(&pipe) == 0)
        for fd in pipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid = try plan.spawn(stdout: .fd(pipe[1]), extraEnvironment: extraEnvironment, replacing: replacing, newSession: false).get()
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
        return String(decoding: output, as: UTF8.self)
    }

    /// A kept plan's later start (`replacing:`): its variables take the slots of the base
    /// environment, in the base's order, and the plan's own strings stay as they were for the next.
    @Test func replacedVariablesTakeTheirSlotsInOrder() throws {
        let plan = SpawnPlan(path: "/usr/bin/env", arguments: ["/usr/bin/env"], variables: [
            EnvironmentVariable(name: "A", value: "1"), EnvironmentVariable(name: "REMOTE_PORT", value: "5000"),
            EnvironmentVariable(name: "B", value: "2"), EnvironmentVariable(name: "INVOCATION_ID", value: "first"),
        ])
        func run(_ replacing: [(slot: Int, variable: EnvironmentVariable)]) throws -> String {
            try Self.output(of: plan, extraEnvironment: ["EXTRA=x"], replacing: replacing)
        }
        let later = try run([(1, EnvironmentVariable(name: "REMOTE_PORT", value: "5001")), (3, EnvironmentVariable(name: "INVOCATION_ID", value: "sécond"))])
        #expect(later == "A=1\nREMOTE_PORT=5001\nB=2\nINVOCATION_ID=sécond\nEXTRA=x\n")
        #expect(try run([]) == "A=1\nREMOTE_PORT=5000\nB=2\nINVOCATION_ID=first\nEXTRA=x\n", "the plan's own strings are unchanged")
        #expect(try run([(9, EnvironmentVariable(name: "OUT", value: "of range"))]) == "A=1\nREMOTE_PORT=5000\nB=2\nINVOCATION_ID=first\nEXTRA=x\n",
                "a slot outside the base is not written")
    }
}
