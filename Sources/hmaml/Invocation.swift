#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One run of hmaml, as the command line asked for it.
struct Invocation: Equatable {
  var code: String?
  var checkOnly = false
  var disassemble = false
  var seed: UInt64?
  var quiet = false
  var file: String?
  var scriptArguments: [String] = []

  /// The invocations that need no option parsing — `hmaml`, `hmaml -e CODE [ARGS…]`,
  /// `hmaml FILE [ARGS…]` with no argument starting with `-` — or `nil`.
  ///
  /// NOTE: argument-parser's reflection costs about 1 ms of a ~8 ms start (200 runs of
  /// `hmaml --seed 1 -e 1` against `hmaml -e 1`, release build); start-up is benchmarked against
  /// `lua5.4 -e ''`.
  init?(fastParsing arguments: [String]) {
    var rest = arguments[...]
    if rest.first == "-e", rest.count >= 2 {
      code = rest.dropFirst().first
      rest = rest.dropFirst(2)
    }
    guard !rest.contains(where: { $0.hasPrefix("-") }) else { return nil }
    if code == nil { file = rest.popFirst() }
    scriptArguments = Array(rest)
  }

  init(code: String?, checkOnly: Bool, disassemble: Bool = false, seed: UInt64?, quiet: Bool, file: String?,
       scriptArguments: [String]) {
    self.code = code
    self.checkOnly = checkOnly
    self.disassemble = disassemble
    self.seed = seed
    self.quiet = quiet
    self.file = file
    self.scriptArguments = scriptArguments
  }

  /// Sessions deliberately never released: `main` exits right after `execute`, and tearing an
  /// interpreter's heap down object by object cost 12% of a string-heavy script (callgrind on
  /// scripts/benchmarks/interp/map.hm), work the kernel does at once when the process ends.
  nonisolated(unsafe) private static var keptUntilExit: [AnyObject] = []

  /// The language behind the front end: HMRuntime's interpreter.
  static func makeSession(environment: [String: String]) throws -> LanguageSession {
    InterpreterSession()
  }

  func execute(environment: [String: String]) throws -> Int32 {
    var arguments = scriptArguments
    // `--` ends hmaml's options; it is not one of the script's arguments.
    if let separator = arguments.firstIndex(of: "--") { arguments.remove(at: separator) }
    if code == nil, file == nil, let unknown = arguments.first {
      throw CLIError.usage("unknown option '\(unknown)' (see hmaml --help)")
    }
    let session = try Invocation.makeSession(environment: environment)
    Invocation.keptUntilExit.append(session)
    try InterruptSignal.install()
    let evaluator = try EvaluationThread()
    if let seed { session.setSeed(seed) }
    let terminal = Terminal.current(environment: environment)
    let runner = ScriptRunner(session: session, evaluator: evaluator, terminal: terminal,
                              environment: environment)

    let mode: ScriptRunner.Mode = disassemble ? .disassemble : checkOnly ? .check : .run
    // -e CODE: FILE, if any, is the script's first argument.
    if let code {
      session.setScriptArguments((file.map { [$0] } ?? []) + arguments)
      return runner.run(source: code, sourceName: "<-e>", mode: mode)
    }
    session.setScriptArguments(arguments)
    if let file, file != "-" {
      let source = try SourceFile.read(file)
      return runner.run(source: source, sourceName: file, mode: mode)
    }
    if file == nil && mode == .run && terminal.wantsREPL {
      let editor = try LineEditor(programName: "hmaml", historyPath: REPL.historyPath(environment: environment))
      let repl = REPL(session: session, evaluator: evaluator, editor: editor, terminal: terminal,
                      environment: environment)
      return repl.run(banner: quiet ? nil : "hmaml \(HMAMLCommand.version): :help for help, Ctrl-D to leave")
    }
    return runner.run(source: readStandardInput(), sourceName: "<stdin>", mode: mode)
  }
}
