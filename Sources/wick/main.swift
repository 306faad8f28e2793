import WickCLI

Wick.run(Array(CommandLine.arguments.dropFirst()))
