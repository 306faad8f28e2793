import WickCLI

Wick.main()
