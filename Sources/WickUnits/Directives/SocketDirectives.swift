/// `[Socket]` (systemd.socket(5)).
enum SocketDirectives {
    /// The section's own directives; the execution and kill ones are `ExecDirectives`' (see
    /// `DirectiveTable.directive`).
    nonisolated(unsafe) static let table: [String: Directive] = {
        let table: [String: Directive] = [
            "ListenStream": listen(ListenSpec.parseStream),
            "ListenDatagram": listen(ListenSpec.parseDatagram),
            "ListenSequentialPacket": listen(ListenSpec.parseSequentialPacket),
            "ListenFIFO": listen(ListenSpec.parseFIFO),
            "ListenSpecial": listen(ListenSpec.parseSpecial),
            "ListenNetlink": listen(ListenSpec.parseNetlink),
            "ListenMessageQueue": listen(ListenSpec.parseMessageQueue),
            "Accept": .boolean(\.socket.accept),
            "Service": .optionalText(\.socket.service),
            "FileDescriptorName": fileDescriptorName(),
            "SocketMode": .mode(\.socket.socketMode),
            "DirectoryMode": .mode(\.socket.directoryMode),
            "SocketUser": .optionalText(\.socket.socketUser),
            "SocketGroup": .optionalText(\.socket.socketGroup),
            "Backlog": backlog(),
            // socket_address_bind_ipv6_only_or_bool_from_string(): yes = ipv6-only, no = both.
            "BindIPv6Only": .choice(\.socket.bindIPv6Only, yes: .ipv6Only, no: .both),
            "BindToDevice": Directive.optionalText(\.socket.bindToDevice).with(NotEnforced.socketOptions),
            "ReusePort": .boolean(\.socket.reusePort),
            "FreeBind": .boolean(\.socket.freeBind),
            "Transparent": Directive.boolean(\.socket.transparent).with(NotEnforced.socketOptions),
            "Broadcast": .boolean(\.socket.broadcast),
            "KeepAlive": .boolean(\.socket.keepAlive),
            "KeepAliveTimeSec": .optionalTime(\.socket.keepAliveTime),
            "KeepAliveIntervalSec": .optionalTime(\.socket.keepAliveInterval),
            "KeepAliveProbes": .optionalCount(\.socket.keepAliveProbes),
            "NoDelay": .boolean(\.socket.noDelay),
            "DeferAcceptSec": Directive.time(\.socket.deferAccept).with(NotEnforced.socketOptions),
            "Priority": .integer(\.socket.priority, in: Int32.min...Int32.max),
            "ReceiveBuffer": .size(\.socket.receiveBuffer),
            "SendBuffer": .size(\.socket.sendBuffer),
            // ip_tos_from_string(): the names of IPTOS_LOWDELAY ... IPTOS_LOWCOST, or 0-255.
            "IPTOS": Directive.integer(\.socket.ipTOS, in: 0...255,
                                       names: ["low-delay": 0x10, "throughput": 0x08, "reliability": 0x04, "low-cost": 0x02])
                .with(NotEnforced.socketOptions),
            "IPTTL": Directive.integer(\.socket.ipTTL, in: 1...255).with(NotEnforced.socketOptions),
            "Mark": Directive.integer(\.socket.mark, in: 0...Int32.max).with(NotEnforced.socketOptions),
            "TCPCongestion": Directive.optionalText(\.socket.tcpCongestion).with(NotEnforced.socketOptions),
            "PassCredentials": .boolean(\.socket.passCredentials),
            "PassSecurity": .boolean(\.socket.passSecurity),
            "PassPacketInfo": .boolean(\.socket.passPacketInfo),
            // socket_timestamping_from_string_harder(): nsec, usec, µs, μs too; yes = ns, no = off.
            "Timestamping": .choice(\.socket.timestamping, aliases: ["nsec": .ns, "usec": .us, "µs": .us, "μs": .us], yes: .ns, no: .off),
            "Writable": .boolean(\.socket.writable),
            "FlushPending": .boolean(\.socket.flushPending),
            "RemoveOnStop": .boolean(\.socket.removeOnStop),
            "Symlinks": Directive.paths(\.socket.symlinks),
            "MaxConnections": .count(\.socket.maxConnections),
            "MaxConnectionsPerSource": .optionalCount(\.socket.maxConnectionsPerSource),
            "TriggerLimitIntervalSec": .optionalTime(\.socket.triggerLimitInterval),
            "TriggerLimitBurst": .optionalCount(\.socket.triggerLimitBurst),
            "PollLimitIntervalSec": .optionalTime(\.socket.pollLimitInterval),
            "PollLimitBurst": .optionalCount(\.socket.pollLimitBurst),
            "ExecStartPre": .exec(\.socket.execStartPre),
            "ExecStartPost": .exec(\.socket.execStartPost),
            "ExecStopPre": .exec(\.socket.execStopPre),
            "ExecStopPost": .exec(\.socket.execStopPost),
            "TimeoutSec": .timeout(\.socket.timeout),
            "SmackLabel": Directive(NotEnforced.socketOptions) { _, _, _ throws(ValueError) in },
            "SmackLabelIPIn": Directive(NotEnforced.socketOptions) { _, _, _ throws(ValueError) in },
            "SmackLabelIPOut": Directive(NotEnforced.socketOptions) { _, _, _ throws(ValueError) in },
            "SELinuxContextFromNet": Directive(NotEnforced.socketOptions) { _, value, _ throws(ValueError) in _ = try Boolean.parse(value) },
            "PipeSize": Directive(NotEnforced.socketOptions) { _, value, _ throws(ValueError) in _ = try ByteSize.parse(value) },
            "MessageQueueMaxMessages": Directive(NotEnforced.socketOptions) { _, _, _ throws(ValueError) in },
            "MessageQueueMessageSize": Directive(NotEnforced.socketOptions) { _, _, _ throws(ValueError) in },
            "ListenUSBFunction": Directive(.notEnforced("not supported: wick creates no USB FunctionFS endpoint")) { _, _, _ throws(ValueError) in },
            "SocketProtocol": Directive.unsupported,
        ]
        return table
    }()

    /// A `Listen*=` line: appended in order; the empty assignment removes all previous ones.
    static func listen(_ parse: @escaping (String) throws(ValueError) -> ListenSpec) -> Directive {
        Directive { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings.socket.listen = []; return }
            settings.socket.listen.append(try parse(try resolver.expand(value)))
        }
    }

    /// `FileDescriptorName=`: at most 255 ASCII characters that are not control characters, no
    /// `:` (systemd's fdname_is_valid(): a space is allowed).
    static func fileDescriptorName() -> Directive {
        Directive { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings.socket.fileDescriptorName = nil; return }
            let name = try resolver.expand(value)
            guard name.utf8.count <= 255, name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                throw .expected("a name of up to 255 printable ASCII characters without ':'", got: name)
            }
            settings.socket.fileDescriptorName = name
        }
    }

    static func backlog() -> Directive {
        Directive { settings, value, _ throws(ValueError) in
            // config_parse_unsigned(): any unsigned number, 0 included; listen(2) takes it as an
            // int, and the kernel caps it at net.core.somaxconn.
            guard let number = UInt32(value) else {
                throw .expected("a non-negative number", got: value)
            }
            settings.socket.backlog = number
        }
    }
}
