import CWick
import Glibc
import WickCore

/// A compiled seccomp filter (BPF), owned here until the spawn that loads it is done.
public final class CompiledFilter {
    let instructions: UnsafeMutableRawPointer
    let length: Int32

    init(instructions: UnsafeMutableRawPointer, length: Int32) {
        self.instructions = instructions
        self.length = length
    }

    deinit { free(instructions) }
}

/// Compiles `SeccompFilter` values with libseccomp in the parent, before the clone. A unit's
/// filters are the same at every start, so compiled programs are kept, by the filters they came
/// from (a few hundred bytes each; the cache is emptied when it grows past `cacheLimit` sets).
public final class SeccompCompiler {
    private var cache: [[SeccompFilter]: [CompiledFilter]] = [:]
    static let cacheLimit = 256

    public init() {}

    public func compile(_ filters: [SeccompFilter]) -> Result<[CompiledFilter], SystemError> {
        if filters.isEmpty { return .success([]) }
        if let known = cache[filters] { return .success(known) }
        let result = Self.compile(filters)
        if case .success(let compiled) = result {
            if cache.count >= Self.cacheLimit { cache.removeAll() }
            cache[filters] = compiled
        }
        return result
    }

    /// libseccomp's action values (seccomp.h `SCMP_ACT_*`).
    static func action(_ action: SeccompFilter.Action) -> UInt32 {
        switch action {
        case .allow: return 0x7fff_0000
        case .errno(let number): return 0x0005_0000 | (UInt32(bitPattern: number) & 0xffff)
        case .killProcess: return 0x8000_0000
        }
    }

    /// systemd's seccomp_local_archs[]: the ABIs a process of this machine can call the kernel
    /// with, the native one first. Each filter is made for each of them (a filter for the native
    /// ABI alone let a service make the same calls through i386's `int 0x80`).
    public static let localABIs: [SeccompABI] = {
        #if arch(x86_64)
        return [.x86_64, .x86, .x32]
        #elseif arch(arm64)
        return [.aarch64, .arm]
        #else
        return []
        #endif
    }()

    static func compile(_ filters: [SeccompFilter]) -> Result<[CompiledFilter], SystemError> {
        var compiled: [CompiledFilter] = []
        for filter in filters {
            // `SystemCallArchitectures=native` is one program for the native ABI; a machine whose
            // ABIs wick does not list gets one program for the native ABI (nil).
            let abis: [SeccompABI?] = filter.nativeOnly || localABIs.isEmpty ? [localABIs.first] : localABIs
            for abi in abis where abi.map({ filter.abis?.contains($0) ?? true }) ?? true {
                // A machine wick lists no ABIs for takes the rules of a 64-bit one (mmap, not
                // mmap2; the old mmap that i386 alone refuses would refuse every mapping).
                let rules = filter.rules.filter { rule in rule.abis.map { $0.contains(abi ?? .x86_64) } ?? true }
                // Nothing to deny for this ABI: no program (it would allow everything).
                if rules.isEmpty && filter.defaultAction == .allow && !filter.nativeOnly { continue }
                switch compileOne(filter, rules: rules, abi: abi) {
                case .success(let program): compiled.append(program)
                case .failure(let error): return .failure(error)
                }
            }
        }
        return .success(compiled)
    }

    private static func compileOne(_ filter: SeccompFilter, rules: [SeccompFilter.Rule], abi: SeccompABI?) -> Result<CompiledFilter, SystemError> {
        var names: [UnsafeMutablePointer<CChar>] = []
        defer { names.forEach { free($0) } }
        let conditions = rules.map { rule in
            rule.conditions.map { cwick_seccomp_condition(argument: $0.argument, op: $0.op.rawValue, value: $0.value, mask: $0.mask) }
        }
        var program: UnsafeMutableRawPointer?
        var length: Int32 = 0
        let error: Int32 = withConditionPointers(conditions) { pointers in
            let described = rules.enumerated().map { index, rule -> cwick_seccomp_rule in
                let name = strdup(rule.syscall)
                if let name { names.append(name) }
                return cwick_seccomp_rule(syscall: name.map { UnsafePointer($0) }, action: action(rule.action),
                                          conditions: pointers[index], condition_count: Int32(rule.conditions.count))
            }
            return described.withUnsafeBufferPointer { buffer in
                withOptionalCString(abi?.rawValue) { name in
                    cwick_seccomp_compile(action(filter.defaultAction), filter.nativeOnly ? 1 : 0, name, buffer.baseAddress, Int32(buffer.count), &program, &length)
                }
            }
        }
        guard error == 0, let program else {
            return .failure(SystemError("compile the \(filter.directive) filter for \(abi?.rawValue ?? "the native ABI")", code: error == 0 ? ENOMEM : error))
        }
        return .success(CompiledFilter(instructions: program, length: length))
    }

    private static func withOptionalCString<T>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
        guard let string else { return body(nil) }
        return string.withCString { body($0) }
    }

    /// Stable pointers to each rule's conditions for the duration of `body`.
    private static func withConditionPointers<T>(
        _ conditions: [[cwick_seccomp_condition]], _ body: ([UnsafePointer<cwick_seccomp_condition>?]) -> T
    ) -> T {
        let buffers = conditions.map { list -> UnsafeMutableBufferPointer<cwick_seccomp_condition> in
            let buffer = UnsafeMutableBufferPointer<cwick_seccomp_condition>.allocate(capacity: max(list.count, 1))
            _ = buffer.initialize(from: list)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        return body(buffers.map { UnsafePointer($0.baseAddress) })
    }
}
