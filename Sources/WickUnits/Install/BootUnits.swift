/// What systemd starts at boot when it reads the unit search path: the units pulled in, through
/// the `.wants/`/`.requires/` links `systemctl enable` made and the targets' own `Wants=`/
/// `Requires=`, by `default.target` (an alias of `multi-user.target` on Debian). A container has
/// no systemd package and so no target files: the targets on the way from `default.target` to
/// `sockets.target` (`multi-user.target`, `basic.target`) are roots by themselves, as their
/// files in systemd say (`multi-user.target` Requires=basic.target, `basic.target`
/// Wants=sockets.target timers.target paths.target).
public enum BootUnits {
    public static let roots = ["default.target", "multi-user.target", "basic.target", "sockets.target"]

    /// The non-target units to start, and the targets walked (for messages).
    public static func resolve(_ loader: UnitDirectoryLoader) -> (units: Set<String>, targets: [String]) {
        var links: [String: [String]] = [:]
        for link in loader.dependencyLinks { links[link.owner, default: []].append(link.unit) }
        var queue = roots
        var seenTargets: [String] = []
        var units: Set<String> = []
        while let next = queue.first {
            queue.removeFirst()
            let name = loader.symlinkAliases[next] ?? next
            guard !seenTargets.contains(name), (try? UnitName(name))?.type == "target" else {
                if !name.hasSuffix(".target") { units.insert(name) }
                continue
            }
            seenTargets.append(name)
            var pulled = links[name, default: []]
            if next != name { pulled += links[next, default: []] }
            if loader.fragments[name] != nil {
                let target = loader.load(name)
                pulled += target.settings.unit.wants + target.settings.unit.requires
            }
            queue += pulled.filter { !loader.masked.contains($0) }
        }
        return (units, seenTargets)
    }
}
