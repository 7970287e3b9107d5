#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Runs a whole program (a file, `-e` code, or standard input) with no prompt and no echo, and
/// turns its outcome into the exit code.
struct ScriptRunner {
  let session: LanguageSession
  let evaluator: EvaluationThread
  let terminal: Terminal
  let environment: [String: String]

  /// What to do with a program.
  enum Mode: Equatable {
    /// Run it.
    case run
    /// Compile only (`--check`).
    case check
    /// Compile only and print the bytecode (`--disassemble`).
    case disassemble
  }

  /// Evaluates (or only compiles, per `mode`) `source`; diagnostics go to standard error.
  /// Ctrl-C asks the session to stop (exit 130); a second press leaves at once.
  func run(source: String, sourceName: String, mode: Mode) -> Int32 {
    let session = self.session
    let display = DisplayOptions(width: terminal.outputWidth(environment: environment),
                                 colour: terminal.colourOnStderr)
    let outcome = evaluator.run({
      switch mode {
      case .run: return session.evaluate(source, sourceName: sourceName, mode: .script, display: display)
      case .check: return session.check(source, sourceName: sourceName, display: display)
      case .disassemble: return session.disassemble(source, sourceName: sourceName, display: display)
      }
    }, onInterrupt: { presses in
      if presses >= 2 {
        writeToStandardError("\nhmaml: interrupted\n")
        exit(ExitCode.interrupted)
      }
      session.requestInterrupt()
    })
    fflush(stdout)
    switch outcome {
    case .value(let display):
      // Scripts echo nothing; a listing is the one value shown.
      if mode == .disassemble, let display { print(display, terminator: "") }
      return ExitCode.success
    case .incomplete:
      writeToStandardError(Style.error("\(sourceName): syntax error: unexpected end of input", colour: terminal.colourOnStderr) + "\n")
      return ExitCode.syntaxOrUsageError
    case .syntaxError(let rendered):
      writeToStandardError(Style.diagnostic(rendered, colour: terminal.colourOnStderr) + "\n")
      return ExitCode.syntaxOrUsageError
    case .runtimeError(let rendered):
      writeToStandardError(Style.diagnostic(rendered, colour: terminal.colourOnStderr) + "\n")
      return ExitCode.runtimeError
    case .interrupted(let rendered):
      writeToStandardError(Style.diagnostic(rendered, colour: terminal.colourOnStderr) + "\n")
      return ExitCode.interrupted
    }
  }
}
