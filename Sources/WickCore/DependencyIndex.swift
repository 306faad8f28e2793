import WickUnits

/// The edges `systemctl list-dependencies` walks (systemctl-list-dependencies.c: Requires=,
/// Requisite=, Wants=, BindsTo=, and what the targets pull in), both ways, built once per request
/// so that a tree costs its nodes, not its nodes times the units.
public struct DependencyIndex: Sendable {
    /// Each unit's dependencies: units first, targets last, each group by name.
    public private(set) var pulls: [String: [String]] = [:]
    /// The units that pull each one in, by name.
    public private(set) var pulledBy: [String: [String]] = [:]

    /// `targetMembers`: under the drop-in rule (`--units`) the units whose `[Install]` names a
    /// target are in it (the units the daemon runs); in search-path mode only the `.wants/`
    /// links say so. A target wick does not run still pulls in the next one on the way from
    /// default.target to sockets.target, as systemd's target files do.
    public init(units: [LoadedUnit], links: [DependencyLink], targetMembers: [LoadedUnit]?, resolve: (String) -> String) {
        var edges: [String: Set<String>] = [:]
        for unit in units {
            let section = unit.settings.unit
            for other in section.requires + section.requisite + section.wants + section.bindsTo {
                edges[unit.name.name, default: []].insert(resolve(other))
            }
        }
        for link in links { edges[link.owner, default: []].insert(resolve(link.unit)) }
        for unit in targetMembers ?? [] {
            for target in unit.settings.install.wantedBy + unit.settings.install.requiredBy where target.hasSuffix(".target") {
                edges[target, default: []].insert(unit.name.name)
            }
        }
        for (from, to) in [("default.target", "multi-user.target"), ("multi-user.target", "basic.target"), ("basic.target", "sockets.target")] {
            edges[from, default: []].insert(to)
        }
        var reverse: [String: [String]] = [:]
        for (from, targets) in edges {
            pulls[from] = targets.sorted { ($0.hasSuffix(".target") ? 1 : 0, $0) < ($1.hasSuffix(".target") ? 1 : 0, $1) }
            for target in targets { reverse[target, default: []].append(from) }
        }
        pulledBy = reverse.mapValues { $0.sorted() }
    }

    /// The tree below `name`, at most `budget` nodes in all (shared dependencies repeat in every
    /// branch, and units that all want each other would make it exponential); a cycle ends a
    /// branch, as does a depth of 32.
    public func tree(_ name: String, reverse: Bool, budget: inout Int, path: [String] = []) -> Node {
        budget -= 1
        var node = Node(unit: name, children: [])
        guard !path.contains(name), path.count < 32, budget > 0 else { return node }
        for child in (reverse ? pulledBy[name] : pulls[name]) ?? [] where budget > 0 {
            node.children.append(tree(child, reverse: reverse, budget: &budget, path: path + [name]))
        }
        return node
    }

    public struct Node: Equatable, Sendable {
        public var unit: String
        public var children: [Node]
    }
}
