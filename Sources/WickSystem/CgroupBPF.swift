import CWick
import Glibc
import WickCore

/// Loads WickCore's `CgroupPrograms` into the kernel and attaches them to a cgroup; reads the
/// accounting maps. Every descriptor it returns is the caller's to close.
public enum CgroupBPF {
    /// A program the verifier refused (its log's last line) or the kernel would not take.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A two-counter accounting map (packets, bytes).
    public static func accountingMap() -> Result<Int32, Failure> {
        let fd = cwick_bpf_map_create_array(2)
        return fd >= 0 ? .success(fd) : .failure(Failure(description: "BPF map: \(String(cString: strerror(-fd)))"))
    }

    /// The program loaded; the descriptor can be closed once attached.
    public static func load(_ program: CgroupPrograms.Program) -> Result<Int32, Failure> {
        var log = [CChar](repeating: 0, count: 16_384)
        let fd = program.instructions.withUnsafeBytes { bytes in
            cwick_bpf_prog_load(program.attach.programType.rawValue, program.attach.rawValue, bytes.baseAddress,
                                UInt32(program.instructions.count), &log, UInt32(log.count))
        }
        guard fd < 0 else { return .success(fd) }
        let text = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let last = text.split(separator: "\n").last.map { ": \($0)" } ?? ""
        return .failure(Failure(description: "BPF program (\(program.attach)): \(String(cString: strerror(-fd)))\(last)"))
    }

    /// Loads and attaches to the open cgroup directory (`BPF_F_ALLOW_MULTI`).
    public static func attach(_ program: CgroupPrograms.Program, to cgroup: Int32) -> Result<Void, Failure> {
        switch load(program) {
        case .failure(let failure): return .failure(failure)
        case .success(let fd):
            defer { closeDescriptor(fd) }
            let result = cwick_bpf_prog_attach(fd, cgroup, program.attach.rawValue)
            return result == 0 ? .success(()) : .failure(Failure(description: "attaching \(program.attach): \(String(cString: strerror(-result)))"))
        }
    }

    /// The counters of an accounting map, nil if it cannot be read.
    public static func read(map: Int32) -> (packets: UInt64, bytes: UInt64)? {
        var packets: UInt64 = 0, bytes: UInt64 = 0
        guard cwick_bpf_map_read(map, CgroupPrograms.packetsKey, &packets) == 0,
              cwick_bpf_map_read(map, CgroupPrograms.bytesKey, &bytes) == 0 else { return nil }
        return (packets, bytes)
    }

    /// Zeroes the counters of an accounting map (systemd's unit_reset_ip_accounting()).
    public static func reset(map: Int32) {
        _ = cwick_bpf_map_zero(map, CgroupPrograms.packetsKey)
        _ = cwick_bpf_map_zero(map, CgroupPrograms.bytesKey)
    }

    /// Runs a cgroup_skb program on one IP packet (BPF_PROG_TEST_RUN): 1 passes, 0 drops.
    public static func testRun(_ fd: Int32, packet: [UInt8]) -> UInt32? {
        var result: UInt32 = 0
        let status = packet.withUnsafeBytes { cwick_bpf_prog_test_run(fd, $0.baseAddress, UInt32($0.count), &result) }
        return status == 0 ? result : nil
    }

    /// Whether cgroup BPF programs can be loaded here (kernel, CAP_BPF/CAP_SYS_ADMIN, no seccomp
    /// or LSM refusal): a pass-all packet filter is loaded and dropped.
    public static func available() -> Bool {
        guard case .success(let fd) = load(CgroupPrograms.passAll) else { return false }
        closeDescriptor(fd)
        return true
    }
}
