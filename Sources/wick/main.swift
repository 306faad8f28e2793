import WickCLI

Wick.run(Array(CommandLine.arguments.dropFirst()), invokedAs: CommandLine.arguments.first ?? "wick")
