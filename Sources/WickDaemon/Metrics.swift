import Prometheus
import WickCore
import WickSystem

/// `wick daemon --metrics ADDR`: the daemon's counters in Prometheus' text exposition format,
/// through swift-prometheus' registry. Unit states are gauges (one series per state with the value
/// 1 for the current one, as systemd_exporter's `systemd_unit_state`); counters follow the unit
/// machines' own counts, taken when scraped; activation latency is a histogram recorded as each
/// activation happens (from the loop's wake-up on the listener to the service's exec).
final class Metrics {
    private let registry = PrometheusCollectorRegistry()
    private var counted: [String: (counter: Counter, value: Int64)] = [:]
    private var gauges: [String: Gauge] = [:]
    private var latency: [String: DurationHistogram] = [:]
    /// Seconds: 100 µs to 5 s.
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(5),
    ]
    static let activeStates = ["active", "reloading", "inactive", "failed", "activating", "deactivating"]

    /// One activation of `socket` took `nanoseconds`.
    func recordActivation(socket: String, nanoseconds: UInt64) {
        let histogram = latency[socket] ?? registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "wick", metricName: "activation_latency", unitName: "seconds",
                helpText: "Time from a listener's readiness to the activated service's exec."),
            labels: [("socket", socket)], buckets: Self.latencyBuckets)
        latency[socket] = histogram
        histogram.record(.nanoseconds(Int64(clamping: nanoseconds)))
    }

    /// The exposition text of the manager's current state.
    func render(_ manager: Manager, ipCounters: [UnitID: IPCounters] = [:], usage: (String) -> CgroupUsage = { _ in CgroupUsage() }) -> [UInt8] {
        var present: Set<String> = []
        // IPAccounting= (systemd_exporter's naming): what the unit's connections carried.
        for (id, counters) in ipCounters {
            let name = id.name
            count("ip_ingress_bytes", "Bytes received on the unit's connections (IPIngressBytes).", unit: name, Int64(clamping: counters.ingressBytes), present: &present)
            count("ip_egress_bytes", "Bytes sent on the unit's connections (IPEgressBytes).", unit: name, Int64(clamping: counters.egressBytes), present: &present)
        }
        for (id, socket) in manager.sockets {
            let name = id.name
            setState(unit: name, type: "socket", active: socket.state.activeState, present: &present)
            count("socket_accepted", "Connections accepted (NAccepted).", unit: name, Int64(socket.acceptedCount), present: &present)
            count("socket_refused", "Connections refused by MaxConnections= or MaxConnectionsPerSource= (NRefused).", unit: name, Int64(socket.refusedCount), present: &present)
            count("socket_activations", "Services started by this socket.", unit: name, Int64(socket.activationCount), present: &present)
            gauge("socket_connections", "Connections with a running instance (NConnections).", unit: name, Double(socket.connectionCount), present: &present)
        }
        for (id, service) in manager.services {
            let name = id.name
            setState(unit: name, type: "service", active: service.state.activeState, present: &present)
            count("service_restarts", "Automatic restarts (NRestarts).", unit: name, Int64(service.restartCount), present: &present)
            count("service_start_limit_hits", "Starts refused by the start limit.", unit: name, Int64(service.startLimitHits), present: &present)
            // What the service's cgroup counts (MemoryCurrent, TasksCurrent, CPUUsageNSec).
            let cgroup = usage(name)
            if let memory = cgroup.memoryCurrent { gauge("memory_current_bytes", "Memory of the service's cgroup (MemoryCurrent).", unit: name, Double(memory), present: &present) }
            if let tasks = cgroup.tasksCurrent { gauge("tasks_current", "Tasks in the service's cgroup (TasksCurrent).", unit: name, Double(tasks), present: &present) }
            if let cpu = cgroup.cpuUsageNanoseconds {
                count("cpu_usage_nanoseconds", "CPU time of the service's cgroup (CPUUsageNSec).", unit: name, Int64(clamping: cpu), present: &present)
            }
        }
        for key in counted.keys where !present.contains(key) {
            if let gone = counted.removeValue(forKey: key) { registry.unregisterCounter(gone.counter) }
        }
        for key in gauges.keys where !present.contains(key) {
            if let gone = gauges.removeValue(forKey: key) { registry.unregisterGauge(gone) }
        }
        var output: [UInt8] = []
        registry.emit(into: &output)
        return output
    }

    private func setState(unit: String, type: String, active: String, present: inout Set<String>) {
        for state in Self.activeStates {
            let key = "unit_state|\(unit)|\(state)"
            let gauge = gauges[key] ?? registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "wick", metricName: "unit_state", unitName: "", helpText: "1 for the unit's current active state."),
                labels: [("unit", unit), ("type", type), ("state", state)])
            gauges[key] = gauge
            gauge.set(Double(state == active ? 1 : 0))
            present.insert(key)
        }
    }

    private func gauge(_ name: String, _ help: String, unit: String, _ value: Double, present: inout Set<String>) {
        let key = "\(name)|\(unit)"
        let gauge = gauges[key] ?? registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "wick", metricName: name, unitName: "", helpText: help), labels: [("unit", unit)])
        gauges[key] = gauge
        gauge.set(to: value)
        present.insert(key)
    }

    /// Brings a counter to the machine's count; a count that went down (the unit was reloaded and
    /// started counting again) is a counter reset, which Prometheus' rate() understands.
    private func count(_ name: String, _ help: String, unit: String, _ value: Int64, present: inout Set<String>) {
        let key = "\(name)|\(unit)"
        var entry = counted[key] ?? (registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "wick", metricName: name, unitName: "total", helpText: help), labels: [("unit", unit)]), 0)
        if value < entry.value {
            entry.counter.reset()
            entry.value = 0
        }
        if value > entry.value { entry.counter.increment(by: value - entry.value) }
        entry.value = value
        counted[key] = entry
        present.insert(key)
    }
}
