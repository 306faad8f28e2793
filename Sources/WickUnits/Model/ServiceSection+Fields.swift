// One accessor per field of ServiceSectionFields (written by a script from its declarations), so
// that `service.type` and the directive tables' key paths (`\ServiceSection.type`) work as on stored
// properties. A field added there gets its line here.
extension ServiceSection {
    public var type: ServiceSection.ServiceType { get { fields.value.type } _modify { yield &fields.value.type } }
    public var execCondition: [ExecCommand] { get { fields.value.execCondition } _modify { yield &fields.value.execCondition } }
    public var execStartPre: [ExecCommand] { get { fields.value.execStartPre } _modify { yield &fields.value.execStartPre } }
    public var execStart: [ExecCommand] { get { fields.value.execStart } _modify { yield &fields.value.execStart } }
    public var execStartPost: [ExecCommand] { get { fields.value.execStartPost } _modify { yield &fields.value.execStartPost } }
    public var execReload: [ExecCommand] { get { fields.value.execReload } _modify { yield &fields.value.execReload } }
    public var execStop: [ExecCommand] { get { fields.value.execStop } _modify { yield &fields.value.execStop } }
    public var execStopPost: [ExecCommand] { get { fields.value.execStopPost } _modify { yield &fields.value.execStopPost } }
    public var remainAfterExit: Bool { get { fields.value.remainAfterExit } _modify { yield &fields.value.remainAfterExit } }
    public var oomPolicy: ServiceSection.OOMPolicy { get { fields.value.oomPolicy } _modify { yield &fields.value.oomPolicy } }
    public var guessMainPID: Bool { get { fields.value.guessMainPID } _modify { yield &fields.value.guessMainPID } }
    public var pidFile: String? { get { fields.value.pidFile } _modify { yield &fields.value.pidFile } }
    public var restart: ServiceSection.RestartPolicy { get { fields.value.restart } _modify { yield &fields.value.restart } }
    public var restartSec: TimeSpan { get { fields.value.restartSec } _modify { yield &fields.value.restartSec } }
    public var restartPreventExitStatus: ExitStatusSet { get { fields.value.restartPreventExitStatus } _modify { yield &fields.value.restartPreventExitStatus } }
    public var restartForceExitStatus: ExitStatusSet { get { fields.value.restartForceExitStatus } _modify { yield &fields.value.restartForceExitStatus } }
    public var successExitStatus: ExitStatusSet { get { fields.value.successExitStatus } _modify { yield &fields.value.successExitStatus } }
    public var timeoutStart: TimeSpan? { get { fields.value.timeoutStart } _modify { yield &fields.value.timeoutStart } }
    public var timeoutStop: TimeSpan { get { fields.value.timeoutStop } _modify { yield &fields.value.timeoutStop } }
    public var timeoutAbort: TimeSpan? { get { fields.value.timeoutAbort } _modify { yield &fields.value.timeoutAbort } }
    public var runtimeMax: TimeSpan { get { fields.value.runtimeMax } _modify { yield &fields.value.runtimeMax } }
    public var watchdog: TimeSpan { get { fields.value.watchdog } _modify { yield &fields.value.watchdog } }
    public var notifyAccess: ServiceSection.NotifyAccess? { get { fields.value.notifyAccess } _modify { yield &fields.value.notifyAccess } }
    public var fileDescriptorStoreMax: UInt32 { get { fields.value.fileDescriptorStoreMax } _modify { yield &fields.value.fileDescriptorStoreMax } }
    public var fileDescriptorStorePreserve: ServiceSection.FDStorePreserve { get { fields.value.fileDescriptorStorePreserve } _modify { yield &fields.value.fileDescriptorStorePreserve } }
    public var sockets: [String] { get { fields.value.sockets } _modify { yield &fields.value.sockets } }
    public var busName: String? { get { fields.value.busName } _modify { yield &fields.value.busName } }
    public var permissionsStartOnly: Bool { get { fields.value.permissionsStartOnly } _modify { yield &fields.value.permissionsStartOnly } }
    public var exec: ExecContext { get { fields.value.exec } _modify { yield &fields.value.exec } }
    public var kill: KillContext { get { fields.value.kill } _modify { yield &fields.value.kill } }
}
