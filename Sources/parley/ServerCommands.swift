import ArgumentParser

#if canImport(ParleyServer)
import ParleyServer

/// Commands that need the server and database; absent in PARLEY_ENGINES_ONLY builds.
let serverCommands: [any ParsableCommand.Type] = []
#else
let serverCommands: [any ParsableCommand.Type] = []
#endif
