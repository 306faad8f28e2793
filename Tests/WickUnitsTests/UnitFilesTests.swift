import Testing
@testable import WickUnits

/// `UnitFiles` (systemctl's install.c) and `BootUnits` on an in-memory tree below /r.
@Suite struct UnitFilesTests {
    static let vendor = "/r/lib/systemd/system", etc = "/r/etc/systemd/system", run = "/r/run/systemd/system"

    static func tree(files: [String: String] = [:], symlinks: [String: String] = [:]) -> MemoryUnitSource {
        var source = MemoryUnitSource()
        source.files = [
            "\(vendor)/a.socket": "[Socket]\nListenStream=1\n[Install]\nWantedBy=sockets.target\nAlias=web.socket\n",
            "\(vendor)/a.service": "[Service]\nExecStart=/bin/true\n",
            "\(vendor)/t@.service": "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nDefaultInstance=one\n",
            "\(vendor)/plain@.service": "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n",
            "\(vendor)/also.service": "[Service]\nExecStart=/bin/true\n[Install]\nAlso=a.socket\n",
            "\(vendor)/req.service": "[Service]\nExecStart=/bin/true\n[Install]\nRequiredBy=multi-user.target\n",
        ].merging(files) { $1 }
        source.symlinks = symlinks
        return source
    }

    static func units(_ source: MemoryUnitSource) -> UnitFiles { UnitFiles(searchPath: UnitSearchPath(root: "/r"), source: source) }

    @Test func enableLinksWantedByRequiredByAliasAlsoAndDefaultInstance() throws {
        let files = Self.units(Self.tree())
        let socket = try files.enable(["a.socket"])
        #expect(socket.changes == [
            .symlink(path: "\(Self.etc)/sockets.target.wants/a.socket", target: "/lib/systemd/system/a.socket"),
            .symlink(path: "\(Self.etc)/web.socket", target: "/lib/systemd/system/a.socket"),
        ])
        #expect(socket.notInstallable.isEmpty)
        #expect(try files.enable(["req.service"]).changes == [.symlink(path: "\(Self.etc)/multi-user.target.requires/req.service", target: "/lib/systemd/system/req.service")])
        #expect(try files.enable(["t@.service"]).changes == [.symlink(path: "\(Self.etc)/multi-user.target.wants/t@one.service", target: "/lib/systemd/system/t@.service")])
        #expect(try files.enable(["also.service"]).changes == socket.changes, "Also= enables a.socket")
        #expect(try files.enable(["a.service"]) == ([], ["a.service"]), "no [Install]: systemctl's warning, nothing linked")
        #expect(throws: InstallError("Failed to enable unit: Unit file nope.service does not exist.")) { try files.enable(["nope.service"]) }
        #expect(throws: InstallError.self) { try files.enable(["plain@.service"]) }
        let existing = Self.units(Self.tree(symlinks: ["\(Self.etc)/web.socket": "/lib/systemd/system/a.service"]))
        #expect(throws: InstallError("Failed to enable unit, file \"/etc/systemd/system/web.socket\" already exists and is a symlink to \"/lib/systemd/system/a.service\".")) {
            try existing.enable(["a.socket"])
        }
        #expect(try existing.enable(["a.socket"], force: true).changes == [
            .symlink(path: "\(Self.etc)/sockets.target.wants/a.socket", target: "/lib/systemd/system/a.socket"),
            .unlink(path: "\(Self.etc)/web.socket"), .symlink(path: "\(Self.etc)/web.socket", target: "/lib/systemd/system/a.socket"),
        ], "--force replaces a symlink in the way")
        let done = Self.units(Self.tree(symlinks: ["\(Self.etc)/sockets.target.wants/a.socket": "/lib/systemd/system/a.socket"]))
        #expect(try done.enable(["a.socket"]).changes == [.symlink(path: "\(Self.etc)/web.socket", target: "/lib/systemd/system/a.socket")], "a link already there is kept")
    }

    @Test func statesFollowInstallCs() {
        let files = Self.units(Self.tree(files: [
            "\(Self.etc)/regular.service": "[Service]\nExecStart=/bin/true\n",
            "\(Self.vendor)/v@.service": "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n",
        ], symlinks: [
            "\(Self.etc)/sockets.target.wants/a.socket": "/lib/systemd/system/a.socket",
            "\(Self.run)/multi-user.target.requires/req.service": "/lib/systemd/system/req.service",
            "\(Self.etc)/masked.service": "/dev/null",
            "\(Self.run)/runtime-masked.service": "/dev/null",
            "\(Self.etc)/alias.service": "/lib/systemd/system/a.service",
            "\(Self.vendor)/multi-user.target.wants/v@two.service": "../v@.service",
        ]))
        #expect(files.state(of: "a.socket") == .enabled)
        #expect(files.state(of: "req.service") == .enabledRuntime)
        #expect(files.state(of: "masked.service") == .masked)
        #expect(files.state(of: "runtime-masked.service") == .maskedRuntime)
        #expect(files.state(of: "alias.service") == .alias)
        #expect(files.state(of: "a.service") == .static)
        #expect(files.state(of: "regular.service") == .static)
        #expect(files.state(of: "t@.service") == .disabled)
        #expect(files.state(of: "v@two.service") == .static, "an instance linked in a vendor directory")
        #expect(files.state(of: "v@.service") == .indirect, "the template is linked under another name")
        #expect(files.state(of: "t@one.service") == .disabled)
        #expect(files.state(of: "also.service") == .indirect)
        #expect(files.state(of: "nope.service") == nil)
        let counted = [UnitFileState.enabled, .static, .indirect, .alias].map(\.isEnabledForExit)
        let notCounted = [UnitFileState.disabled, .masked, .linked].map(\.isEnabledForExit)
        #expect(counted == [true, true, true, true] && notCounted == [false, false, false])
    }

    @Test func disableMaskUnmaskAndPreset() throws {
        let linked = Self.units(Self.tree(symlinks: [
            "\(Self.etc)/sockets.target.wants/a.socket": "/lib/systemd/system/a.socket",
            "\(Self.etc)/web.socket": "/lib/systemd/system/a.socket",
            "\(Self.etc)/multi-user.target.wants/t@one.service": "/lib/systemd/system/t@.service",
            "\(Self.vendor)/sockets.target.wants/a.socket": "../a.socket",
        ]))
        #expect(try linked.disable(["a.socket"]) == [.unlink(path: "\(Self.etc)/sockets.target.wants/a.socket"), .unlink(path: "\(Self.etc)/web.socket")],
                "only /etc: the vendor's own link stays")
        #expect(try linked.disable(["t@.service"]) == [.unlink(path: "\(Self.etc)/multi-user.target.wants/t@one.service")])
        #expect(try linked.mask(["a.service"]) == [.symlink(path: "\(Self.etc)/a.service", target: "/dev/null")])
        let regular = Self.units(Self.tree(files: ["\(Self.etc)/a.service": "[Service]\nExecStart=/bin/false\n"]))
        #expect(throws: InstallError("Failed to mask unit, file \"/etc/systemd/system/a.service\" already exists.")) { try regular.mask(["a.service"]) }
        #expect(throws: InstallError.self, "--force replaces symlinks, never a file") { try regular.mask(["a.service"], force: true) }
        let masked = Self.units(Self.tree(symlinks: ["\(Self.etc)/a.service": "/dev/null", "\(Self.run)/a.service": "/dev/null"]))
        #expect(masked.unmask(["a.service"]) == [.unlink(path: "\(Self.etc)/a.service"), .unlink(path: "\(Self.run)/a.service")])
        #expect(throws: InstallError("Failed to enable unit: Unit file /etc/systemd/system/a.service is masked.")) { try masked.enable(["a.service"]) }

        let rules = PresetRules(rules: [.init(enable: false, pattern: "a.*"), .init(enable: true, pattern: "*")])
        let preset = try linked.preset(["a.socket", "req.service"], rules: rules)
        #expect(preset.changes == [
            .unlink(path: "\(Self.etc)/sockets.target.wants/a.socket"), .unlink(path: "\(Self.etc)/web.socket"),
            .symlink(path: "\(Self.etc)/multi-user.target.requires/req.service", target: "/lib/systemd/system/req.service"),
        ])
    }

    @Test func presetFilesAreReadInNameOrderAndTheFirstMatchWins() {
        var source = MemoryUnitSource()
        source.files = [
            "/r/usr/lib/systemd/system-preset/90-vendor.preset": "enable a.socket\ndisable *\n",
            "/r/usr/lib/systemd/system-preset/10-early.preset": "# comment\nenable b.*\n",
            "/r/etc/systemd/system-preset/90-vendor.preset": "disable a.socket\n",
        ]
        let rules = PresetRules(root: "/r", source: source)
        #expect(rules.rules == [.init(enable: true, pattern: "b.*"), .init(enable: false, pattern: "a.socket")], "/etc's file hides the vendor's of the same name")
        #expect(rules.enables("b.service") && !rules.enables("a.socket"))
        #expect(PresetRules(rules: []).enables("anything.service"), "no rule: enable")
    }

    @Test func globsMatchAsFnmatch() {
        for (pattern, text, expected) in [
            ("*.socket", "a.socket", true), ("*.socket", "a.service", false), ("a?c", "abc", true), ("a?c", "ac", false),
            ("[ab]x", "bx", true), ("[!a]x", "ax", false), ("[!a]x", "cx", true), ("x[a-c]", "xb", true), ("x[a-c]", "xd", false),
            ("*", "", true), ("a*b*c", "aXbYc", true), ("a*b*c", "aXbY", false), ("[", "[", true), ("sshd@*.service", "sshd@1-2.service", true),
        ] {
            #expect(Glob.matches(pattern, text) == expected, "\(pattern) \(text)")
        }
        #expect(Glob.isPattern("a*") && !Glob.isPattern("a.service"))
    }

    @Test func bootUnitsAreWhatTheTargetsPullIn() {
        let source = Self.tree(files: [
            "\(Self.vendor)/b.socket": "[Socket]\nListenStream=2\n[Install]\nWantedBy=sockets.target\n",
            "\(Self.vendor)/custom.target": "[Unit]\nWants=c.service\n",
            "\(Self.vendor)/c.service": "[Service]\nExecStart=/bin/true\n",
            "\(Self.vendor)/g.service": "[Service]\nExecStart=/bin/true\n",
        ], symlinks: [
            "\(Self.etc)/sockets.target.wants/a.socket": "/lib/systemd/system/a.socket",
            "\(Self.etc)/multi-user.target.wants/custom.target": "/lib/systemd/system/custom.target",
            "\(Self.etc)/multi-user.target.wants/t@one.service": "/lib/systemd/system/t@.service",
            "\(Self.etc)/multi-user.target.wants/masked.service": "/lib/systemd/system/masked.service",
            "\(Self.etc)/masked.service": "/dev/null",
            "\(Self.etc)/default.target": "/lib/systemd/system/graphical.target",
            "\(Self.etc)/graphical.target.wants/g.service": "/lib/systemd/system/g.service",
            "\(Self.vendor)/a.service.wants/req.service": "../req.service",
        ])
        let loader = UnitDirectoryLoader(directories: UnitSearchPath(root: "/r").loaderOrder, source: source, searchPath: true)
        #expect(!loader.diagnostics.contains { $0.severity == .error }, "missing search-path directories are normal: \(loader.diagnostics)")
        let boot = BootUnits.resolve(loader)
        #expect(boot.units == ["a.socket", "c.service", "t@one.service", "g.service"], "b.socket is not enabled, masked.service is masked")
        #expect(boot.targets == ["graphical.target", "multi-user.target", "basic.target", "sockets.target", "custom.target"])
        #expect(loader.load("a.service").settings.unit.wants == ["req.service"], "a .wants/ link is a Wants=")
    }

    @Test func theSearchPathTakesTheEnvironmentAndARoot() {
        #expect(UnitSearchPath(environment: "/x:/y").directories == ["/x", "/y"])
        #expect(UnitSearchPath(environment: "/x:").directories == ["/x"] + UnitSearchPath.defaults)
        let rooted = UnitSearchPath(root: "/r/")
        #expect(rooted.hostDirectories.first == "/r/etc/systemd/system" && rooted.loaderOrder.last == "/r/etc/systemd/system")
        #expect(rooted.inside("/r/lib/systemd/system/a.socket") == "/lib/systemd/system/a.socket" && rooted.inside("/elsewhere") == "/elsewhere")
    }
}
