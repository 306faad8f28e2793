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

    static func compile(_ filters: [SeccompFilter]) -> Result<[CompiledFilter], SystemError> {
        var compiled: [CompiledFilter] = []
        for filter in filters {
            var names: [UnsafeMutablePointer<CChar>] = []
            defer { names.forEach { free($0) } }
            let conditions = filter.rules.map { rule in
                rule.conditions.map { cwick_seccomp_condition(argument: $0.argument, op: $0.op.rawValue, value: $0.value, mask: $0.mask) }
            }
            var program: UnsafeMutableRawPointer?
            var length: Int32 = 0
            let error: Int32 = withConditionPointers(conditions) { pointers in
                let rules = filter.rules.enumerated().map { index, rule -> cwick_seccomp_rule in
                    let name = strdup(rule.syscall)
                    if let name { names.append(name) }
                    return cwick_seccomp_rule(syscall: name.map { UnsafePointer($0) }, action: action(rule.action),
                                              conditions: pointers[index], condition_count: Int32(rule.conditions.count))
                }
                return rules.withUnsafeBufferPointer {
                    cwick_seccomp_compile(action(filter.defaultAction), filter.nativeOnly ? 1 : 0, $0.baseAddress, Int32($0.count), &program, &length)
                }
            }
            guard error == 0, let program else { return .failure(SystemError("compile the \(filter.directive) filter", code: error == 0 ? ENOMEM : error)) }
            compiled.append(CompiledFilter(instructions: program, length: length))
        }
        return .success(compiled)
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
