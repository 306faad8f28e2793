import Foundation
import Testing
@testable import WickSystem

/// systemd's system_tasks_max(), the total `TasksMax=` shares (and DefaultTasksMax=15%) are of.
@Suite struct TaskLimitTests {
    /// The root cgroup is pid 1's less `/init.scope` (cg_get_root_path()); its `pids.max` counts
    /// when it has one (inside a cgroup namespace: the container's limit), not when it says `max`.
    @Test func theRootCgroupsPidsMaxIsPidOnesLessInitScope() throws {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent("tasks-\(getpid())").path
        try FileManager.default.createDirectory(atPath: mount + "/pod/init.scope", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mount) }
        try "2048\n".write(toFile: mount + "/pids.max", atomically: true, encoding: .utf8)
        try "300\n".write(toFile: mount + "/pod/pids.max", atomically: true, encoding: .utf8)
        try "7\n".write(toFile: mount + "/pod/init.scope/pids.max", atomically: true, encoding: .utf8)
        #expect(ControlGroups.tasksMax(rootOf: "/init.scope", mount: mount) == 2048)
        #expect(ControlGroups.tasksMax(rootOf: "/", mount: mount) == 2048)
        #expect(ControlGroups.tasksMax(rootOf: "/pod/init.scope", mount: mount) == 300)
        #expect(ControlGroups.tasksMax(rootOf: "/pod", mount: mount) == 300)
        #expect(ControlGroups.tasksMax(rootOf: "/../etc", mount: mount) == nil)
        try "max\n".write(toFile: mount + "/pids.max", atomically: true, encoding: .utf8)
        #expect(ControlGroups.tasksMax(rootOf: "/init.scope", mount: mount) == nil)
        try FileManager.default.removeItem(atPath: mount + "/pids.max")
        #expect(ControlGroups.tasksMax(rootOf: "/", mount: mount) == nil, "the host's root has no pids.max")
    }

    @Test func theLimitIsBelowPidMax() throws {
        let pidMax = try #require(UInt64(try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(ControlGroups.taskLimit() <= pidMax - 1)
    }
}
