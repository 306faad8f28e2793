import WickUnits

ParseBenchmark.run(arguments: Array(CommandLine.arguments.dropFirst()))
