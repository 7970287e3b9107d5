import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `hmaml` command line (docs/cli.md).
///
///     hmaml                     REPL on a terminal; otherwise standard input runs as a script
///     hmaml FILE [ARGS…]        run FILE (`-` is standard input); ARGS are the script's
///     hmaml -e CODE [ARGS…]     run CODE
///     hmaml --check FILE        compile only
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
    let command: HMAMLCommand
    do {
      command = try HMAMLCommand.parse(arguments)
    } catch {
      let message = HMAMLCommand.fullMessage(for: error)
      if HMAMLCommand.exitCode(for: error) == .success {
        print(message)
        return ExitCode.success
      }
      writeToStandardError(message + "\n")
      return ExitCode.syntaxOrUsageError
    }
    do {
      return try command.execute(environment: ProcessInfo.processInfo.environment)
    } catch let error as CLIError {
      writeToStandardError("hmaml: \(error)\n")
      return error.exitCode
    } catch {
      writeToStandardError("hmaml: \(error)\n")
      return ExitCode.runtimeError
    }
  }

  /// The language behind the front end.
  ///
  /// INTEGRATION: HMRuntime's `Interpreter`, behind an adapter conforming to `LanguageSession`,
  /// replaces the error below; `ToySession` and `HMAML_TOY_SESSION` then go away.
  static func makeSession(environment: [String: String]) throws -> LanguageSession {
    if environment["HMAML_TOY_SESSION"] == "1" { return ToySession() }
    throw CLIError.system("the hm language is not linked into this build yet (HMAML_TOY_SESSION=1 selects the stand-in)")
  }

  private func execute(environment: [String: String]) throws -> Int32 {
    var arguments = scriptArguments
    // `--` ends hmaml's options; it is not one of the script's arguments.
    if let separator = arguments.firstIndex(of: "--") { arguments.remove(at: separator) }
    if code == nil, file == nil, let unknown = arguments.first {
      throw CLIError.usage("unknown option '\(unknown)' (see hmaml --help)")
    }
    let session = try HMAMLCommand.makeSession(environment: environment)
    try InterruptSignal.install()
    let evaluator = try EvaluationThread()
    if let seed { session.setSeed(seed) }
    let terminal = Terminal.current(environment: environment)
    let runner = ScriptRunner(session: session, evaluator: evaluator, terminal: terminal,
                              environment: environment)

    // -e CODE: FILE, if any, is the script's first argument.
    if let code {
      session.setScriptArguments((file.map { [$0] } ?? []) + arguments)
      return runner.run(source: code, sourceName: "<-e>", checkOnly: checkOnly)
    }
    session.setScriptArguments(arguments)
    if let file, file != "-" {
      let source = try SourceFile.read(file)
      return runner.run(source: source, sourceName: file, checkOnly: checkOnly)
    }
    if file == nil && !checkOnly && terminal.wantsREPL {
      let editor = try LineEditor(programName: "hmaml", historyPath: REPL.historyPath(environment: environment))
      let repl = REPL(session: session, evaluator: evaluator, editor: editor, terminal: terminal,
                      environment: environment)
      return repl.run(banner: quiet ? nil : "hmaml \(HMAMLCommand.version): :help for help, Ctrl-D to leave")
    }
    let input = FileHandle.standardInput.readDataToEndOfFile()
    return runner.run(source: String(decoding: input, as: UTF8.self), sourceName: "<stdin>",
                      checkOnly: checkOnly)
  }
}
