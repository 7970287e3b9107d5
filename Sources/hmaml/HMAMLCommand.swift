import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The `hmaml` command line (docs/cli.md).
///
///     hmaml                     REPL on a terminal; otherwise standard input runs as a script
///     hmaml FILE [ARGS…]        run FILE (`-` is standard input); ARGS are the script's
///     hmaml -e CODE [ARGS…]     run CODE
///     hmaml --check FILE        compile only
///     hmaml --disassemble FILE  compile only and print the bytecode
///
/// Exit codes: 0 ok, 1 runtime error, 2 syntax or usage error, 130 interrupted.
struct HMAMLCommand: ParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "hmaml",
    abstract: "The hm language for meta-reinforcement-learning research: scripts and a REPL.",
    discussion: """
      With no FILE and no -e, hmaml opens the interactive REPL when standard input and output are \
      terminals (and TERM is not dumb); otherwise it runs standard input as a script. Options of \
      hmaml may appear after FILE; arguments it does not know, and everything after `--`, go to \
      the script. Exit codes: 0 ok, 1 runtime error, 2 syntax or usage error, 130 interrupted.
      Environment: HMAML_HISTORY (REPL history file, default ~/.hmaml_history; empty: none), \
      NO_COLOR (no colour), HMAML_PATH (module search path).
      """,
    version: "hmaml \(HMAMLCommand.version)")

  @Option(name: [.customShort("e"), .customLong("eval")], help: ArgumentHelp("Run CODE as a script.", valueName: "CODE"))
  var code: String?

  @Flag(name: .customLong("check"), help: "Compile only: report syntax errors, run nothing.")
  var checkOnly = false

  @Flag(name: .customLong("disassemble"), help: "Compile only and print the bytecode (docs/bytecode.md).")
  var disassemble = false

  @Option(help: ArgumentHelp("Seed of the random streams.", valueName: "N"))
  var seed: UInt64?

  @Flag(name: [.customShort("q"), .long], help: "No banner in the REPL.")
  var quiet = false

  @Argument(help: ArgumentHelp("The script to run (- for standard input).", valueName: "FILE"))
  var file: String?

  @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Arguments for the script.", valueName: "ARGS"))
  var scriptArguments: [String] = []

  /// Parses `arguments` (without the program name), runs, and returns the exit code.
  static func main(arguments: [String]) -> Int32 {
    let invocation: Invocation
    if let simple = Invocation(fastParsing: arguments) {
      invocation = simple
    } else {
      do {
        invocation = try HMAMLCommand.parse(arguments).invocation
      } catch {
        let message = HMAMLCommand.fullMessage(for: error)
        if HMAMLCommand.exitCode(for: error) == .success {
          print(message)
          return ExitCode.success
        }
        writeToStandardError(message + "\n")
        return ExitCode.syntaxOrUsageError
      }
    }
    do {
      return try invocation.execute(environment: ProcessEnvironment.current())
    } catch let error as CLIError {
      writeToStandardError("hmaml: \(error)\n")
      return error.exitCode
    } catch {
      writeToStandardError("hmaml: \(error)\n")
      return ExitCode.runtimeError
    }
  }

  /// What the parsed command line asks for.
  var invocation: Invocation {
    Invocation(code: code, checkOnly: checkOnly, disassemble: disassemble, seed: seed, quiet: quiet, file: file,
               scriptArguments: scriptArguments)
  }
}
