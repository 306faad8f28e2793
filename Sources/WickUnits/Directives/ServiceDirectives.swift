/// `[Service]` (systemd.service(5)).
enum ServiceDirectives {
    /// The section's own directives; the execution and kill ones are `ExecDirectives`' (see
    /// `DirectiveTable.directive`).
    nonisolated(unsafe) static let table: [String: Directive] = {
        let table: [String: Directive] = [
            "Type": .choice(\.service.type),
            "ExecCondition": .exec(\.service.execCondition),
            "ExecStartPre": .exec(\.service.execStartPre),
            "ExecStart": .exec(\.service.execStart),
            "ExecStartPost": .exec(\.service.execStartPost),
            "ExecReload": .exec(\.service.execReload),
            "ExecStop": .exec(\.service.execStop),
            "ExecStopPost": .exec(\.service.execStopPost),
            "RemainAfterExit": .boolean(\.service.remainAfterExit),
            "GuessMainPID": .boolean(\.service.guessMainPID),
            "PIDFile": .path(\.service.pidFile),
            "Restart": .choice(\.service.restart),
            "RestartSec": .time(\.service.restartSec),
            "RestartPreventExitStatus": .exitStatuses(\.service.restartPreventExitStatus),
            "RestartForceExitStatus": .exitStatuses(\.service.restartForceExitStatus),
            "SuccessExitStatus": .exitStatuses(\.service.successExitStatus),
            "TimeoutStartSec": .timeout(\.service.timeoutStart),
            "TimeoutStopSec": .timeout(\.service.timeoutStop),
            "TimeoutAbortSec": .timeout(\.service.timeoutAbort),
            "TimeoutSec": Directive { settings, value, _ throws(ValueError) in
                let span = try TimeSpan.parseTimeout(value)
                settings.service.timeoutStart = span
                settings.service.timeoutStop = span
            },
            "RuntimeMaxSec": .time(\.service.runtimeMax),
            "WatchdogSec": .time(\.service.watchdog),
            "NotifyAccess": .optionalChoice(\.service.notifyAccess),
            "FileDescriptorStoreMax": .count(\.service.fileDescriptorStoreMax),
            // config_parse_exec_preserve_mode(): the words, or a boolean (yes or no).
            "FileDescriptorStorePreserve": .choice(\.service.fileDescriptorStorePreserve, yes: .yes, no: .no),
            "Sockets": .unitNames(\.service.sockets),
            "BusName": Directive.optionalText(\.service.busName).with(NotEnforced.notifications),
            // [Service] only: in [Socket] systemd does not know it ("Unknown key name").
            "NonBlocking": .boolean(\.service.exec.nonBlocking),
            "PermissionsStartOnly": Directive.boolean(\.service.permissionsStartOnly),
            // The four start-limit and action keys systemd 252 still reads in [Service] (its
            // older places); StartLimitIntervalSec= and SuccessAction= are [Unit] only there.
            "StartLimitInterval": .time(\.unit.startLimitInterval),
            "StartLimitBurst": .count(\.unit.startLimitBurst),
            "StartLimitAction": Directive.emergencyAction(\.unit.startLimitAction).with(NotEnforced.actions),
            "FailureAction": Directive.emergencyAction(\.unit.failureAction).with(NotEnforced.actions),
            "RestartSteps": Directive(.notEnforced("not applied: wick restarts after RestartSec= every time")) { _, _, _ throws(ValueError) in },
            "RestartMaxDelaySec": Directive(.notEnforced("not applied: wick restarts after RestartSec= every time")) { _, _, _ throws(ValueError) in },
            "OOMPolicy": Directive { settings, value, _ throws(ValueError) in
                guard let policy = ServiceSection.OOMPolicy(rawValue: value) else { throw .expected("continue, stop or kill", got: value) }
                settings.service.oomPolicy = policy
            },
            "USBFunctionDescriptors": Directive(.notEnforced("not supported: wick creates no USB FunctionFS endpoint")) { _, _, _ throws(ValueError) in },
            "USBFunctionStrings": Directive(.notEnforced("not supported: wick creates no USB FunctionFS endpoint")) { _, _, _ throws(ValueError) in },
        ]
        // systemd 252's [Service] directives that wick reads and ignores.
        return table.merging([
            "TimeoutStartFailureMode", "TimeoutStopFailureMode", "RebootArgument", "ExitType", "RootDirectoryStartOnly",
            "SysVStartPriority", "BusPolicy",
        ].map { ($0, Directive.unsupported) }) { known, _ in known }
    }()
}
