import WickCore
import WickSystem
import WickUnits

/// An execution request made ready for its spawns: the request, its context in C memory
/// (`ContextPlan`) and its command's strings (`SpawnPlan`). A service's main command (an
/// `Accept=yes` socket's instances: its template's) keeps one while its request is reusable
/// (`ExecRequest.isReusable(for:)`), and each start only writes its own variables
/// (`ExecRequest.startVariables(_:)`); any other command makes one for its spawn.
final class PreparedExec {
    /// The execution context the request was built from (`ExecContext.isIdentical(to:)`).
    let context: ExecContext
    let request: ExecRequest
    let contextPlan: ContextPlan
    /// The last command's plan.
    private var plan: SpawnPlan?
    /// systemd's build_environment() gives every process `SYSTEMD_EXEC_PID=` (its own pid,
    /// written by the child), unless `Environment=` sets it or `UnsetEnvironment=` removes it.
    let setsExecPID: Bool

    /// Nil when the context's capability sets could not be allocated (ENOMEM).
    init?(context: ExecContext, request: ExecRequest, filters: [CompiledFilter]) {
        guard let contextPlan = ContextPlan(request, filters: filters) else { return nil }
        self.context = context
        self.request = request
        self.contextPlan = contextPlan
        setsExecPID = !request.variables.contains { $0.name == "SYSTEMD_EXEC_PID" } && !context.unsetEnvironment.contains("SYSTEMD_EXEC_PID")
    }

    /// The plan of a command with the request's environment: the last one for the same path
    /// and arguments.
    func plan(path: String, arguments: [String]) -> SpawnPlan {
        if let plan, plan.path == path, plan.arguments == arguments { return plan }
        let made = SpawnPlan(path: path, arguments: arguments, variables: request.variables)
        plan = made
        return made
    }
}
