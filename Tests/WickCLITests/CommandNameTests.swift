import Testing
@testable import WickCLI

/// Every command names itself. Without `commandName:` swift-argument-parser derives the name from
/// `String(describing: Self.self)` each time it matches arguments, and the Swift runtime's
/// conformance lookups behind that cost `wick daemon` 10 of its 35 million start-up instructions
/// (callgrind, docs/performance.md "Start-up").
@Suite struct CommandNameTests {
    @Test func everyCommandHasAnExplicitName() {
        #expect(Wick.configuration.commandName == "wick")
        for command in Wick.configuration.subcommands {
            #expect(command.configuration.commandName != nil, "\(command) has no commandName")
        }
    }
}
