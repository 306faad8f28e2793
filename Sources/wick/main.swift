import WickCLI

// `wick activate` with many -l: see Activate.condensingListens.
Wick.main(Activate.condensingListens(Array(CommandLine.arguments.dropFirst())))
