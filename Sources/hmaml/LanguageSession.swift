/// What the command-line program and the REPL need from the language.
///
/// HMRuntime's `Interpreter` conforms through an adapter; `ToySession` stands in for it until
/// then (only when `HMAML_TOY_SESSION=1`). One session holds one program state: globals, `ans`,
/// the seed, the script arguments.
///
/// Threading contract (see `docs/repl.md`):
/// - the front end never calls two methods at once: `evaluate` and `check` run on the evaluation
///   thread (a 512 MiB stack, so deep recursion stays a language error), every other method on
///   the main thread while the evaluation thread is idle;
/// - the one exception is `requestInterrupt()`, which the main thread calls (never from a signal
///   handler) while `evaluate` runs on the other thread. It must be thread-safe and cheap, e.g.
///   set an atomic flag polled at loop back-edges, calls and inside long native primitives.
///
/// Rendered text (values, diagnostics, help) never ends with a newline; it may hold ANSI colour
/// codes only when the caller passed `colour: true`.
protocol LanguageSession: AnyObject {
  /// Evaluates one REPL entry, a `:load`ed file or a whole script.
  ///
  /// - In `.interactive` mode the session decides what to echo (`value(display:)`, `nil` for
  ///   nothing: a definition, `nil`, or an entry ending in `;`), sets `ans`, and returns
  ///   `.incomplete` when the parser ran out of input inside an unfinished construct (the REPL then
  ///   shows a continuation prompt and calls again with the grown entry).
  /// - In `.script` mode nothing is echoed (`display` is ignored) and incomplete input is a
  ///   syntax error.
  /// The program state survives every outcome.
  func evaluate(_ source: String, sourceName: String, mode: EvaluationMode,
                display: DisplayOptions) -> EvaluationOutcome

  /// Compiles without running (`hmaml --check`): `.value(display: nil)` or `.syntaxError`.
  func check(_ source: String, sourceName: String, display: DisplayOptions) -> EvaluationOutcome

  /// Compiles without running and returns the bytecode listing as the value to display
  /// (`hmaml --disassemble`), or the compile errors.
  func disassemble(_ source: String, sourceName: String, display: DisplayOptions) -> EvaluationOutcome

  /// Tab completion of keywords, globals, registry names, and `.members` of the value left of a
  /// dot. `line` is the current line, `cursor` a UTF-8 offset into it.
  func completions(forLine line: String, cursor: Int) -> Completions

  /// `?name`: the registry doc of a builtin, or a description of a global; `nil` when unknown.
  func help(for name: String, display: DisplayOptions) -> String?

  /// `:help`: the index of builtins, by topic (the REPL prints its own commands first).
  func helpIndex(display: DisplayOptions) -> String

  /// `:vars`: the user's globals, in definition order, each with a one-line summary.
  func globalsSummary(display: DisplayOptions) -> [GlobalSummary]

  /// `:reset`: forgets every user global and `ans`; builtins, seed and arguments stay.
  func reset()

  /// The arguments after the script's name (`hmaml FILE ARGS…`), visible to the script.
  func setScriptArguments(_ arguments: [String])

  /// Seeds the session's random streams (`--seed N`).
  func setSeed(_ seed: UInt64)

  /// Asks the running `evaluate` to stop with an `interrupted` error as soon as it can.
  ///
  /// Thread-safe and cheap. The front end calls it from the main thread while `evaluate` is in
  /// flight, repeatedly (every 20 ms) until `evaluate` returns, so a request may land just
  /// before the evaluation starts or just after it returns: the session clears the request when
  /// an evaluation starts, and the repetition makes up for a request cleared that way.
  func requestInterrupt()
}

/// How an evaluation treats its result.
enum EvaluationMode: Equatable {
  /// A REPL entry: echo the result, set `ans`, report incomplete input as `.incomplete`.
  case interactive
  /// A script, `-e` code or a `:load`ed file: no echo; incomplete input is a syntax error.
  case script
}

/// How rendered text should look.
struct DisplayOptions: Equatable {
  /// The terminal width in columns, for pretty-printing (80 when unknown).
  var width: Int
  /// Whether ANSI colour codes may be used.
  var colour: Bool

  static let plain = DisplayOptions(width: 80, colour: false)
}

/// The result of `LanguageSession.evaluate` or `check`.
///
/// Error texts are complete renderings (`file:line:col`, the source line, a caret, and for
/// runtime errors a short stack trace).
enum EvaluationOutcome: Equatable {
  /// Success; `display` is the text to echo, `nil` for nothing.
  case value(display: String?)
  /// The entry stops inside an unfinished construct (REPL only): read more lines.
  case incomplete
  case syntaxError(rendered: String)
  case runtimeError(rendered: String)
  /// Stopped by `requestInterrupt()`.
  case interrupted(rendered: String)
}

/// The answer to a completion request.
struct Completions: Equatable {
  /// UTF-8 offset in the line where the word being completed starts; the candidates replace the
  /// text from there to the cursor.
  var replaceFrom: Int
  /// Full replacements of that word, without duplicates, in the order to show them.
  var candidates: [String]

  static let none = Completions(replaceFrom: 0, candidates: [])
}

/// One line of `:vars`.
struct GlobalSummary: Equatable {
  var name: String
  /// A short description, e.g. the type and a truncated value: `Int = 42`.
  var summary: String
}
