#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The `hmaml>` read-eval-print loop (docs/repl.md).
///
/// The session decides what an entry means (`ans`, a trailing `;`, incomplete input); this loop
/// owns the prompt, continuation lines, history, the `:commands` and `?name`, and Ctrl-C. The
/// program state survives every error and every interrupt.
final class REPL {
  static let prompt = "hmaml> "
  static let continuationPrompt = "...> "

  /// The REPL's own commands, for `:help` (the session adds the language's index).
  static let commandHelp = """
    ?NAME         help on a builtin or a global
    :help         this text and the index of builtins
    :load FILE    run FILE in this session (its definitions stay)
    :time EXPR    evaluate EXPR and report how long it took
    :vars         your globals with a short summary
    :reset        forget every global
    :quit         leave (Ctrl-D too)
    Ctrl-C drops the line or interrupts a running evaluation; Ctrl-R searches the history;
    Tab completes names and .members; ans holds the last result; a trailing ; hides it.
    """

  /// An entry being read, perhaps over several lines.
  private struct Entry {
    enum Kind { case evaluate, time }
    var kind: Kind
    /// The source given to the session (for `:time`, without the command).
    var source: String
    /// What goes into the history: every line as typed.
    var typed: String
  }

  private let session: LanguageSession
  private let evaluator: EvaluationThread
  private let editor: LineEditor
  private let terminal: Terminal
  private let environment: [String: String]
  /// The unfinished entry, when the last line left the input incomplete.
  private var pending: Entry?

  init(session: LanguageSession, evaluator: EvaluationThread, editor: LineEditor,
       terminal: Terminal, environment: [String: String]) {
    self.session = session
    self.evaluator = evaluator
    self.editor = editor
    self.terminal = terminal
    self.environment = environment
    editor.completer = { [unowned session] line, cursor in
      REPL.completions(forLine: line, cursor: cursor, session: session)
    }
  }

  /// The history file: `HMAML_HISTORY` when set (empty: no file), else `~/.hmaml_history`.
  static func historyPath(environment: [String: String]) -> String? {
    if let path = environment["HMAML_HISTORY"] { return path.isEmpty ? nil : path }
    guard let home = environment["HOME"], !home.isEmpty else { return nil }
    return PathText.appending(home, ".hmaml_history")
  }

  /// Runs until `:quit` or Ctrl-D; returns the exit code.
  func run(banner: String?) -> Int32 {
    // Ctrl-\ (SIGQUIT) would kill the session and its state: ignored in the REPL (Ctrl-D leaves).
    signal(SIGQUIT, SIG_IGN)
    if let banner { print(Style.dim(banner, colour: terminal.colourOnStdout)) }
    while true {
      fflush(stdout)
      let input = editor.readLine(prompt: pending == nil ? REPL.prompt : REPL.continuationPrompt,
                                  colour: terminal.colourOnStdout)
      // A Ctrl-C at the prompt was handled by dropping the line: it must not interrupt the next
      // evaluation.
      _ = InterruptSignal.takePending()
      switch input {
      case .endOfInput:
        print()
        return ExitCode.success
      case .interrupted:
        pending = nil
        print()
      case .line(let text):
        if var entry = pending {
          pending = nil
          entry.source += "\n" + text
          entry.typed += "\n" + text
          submit(entry)
        } else if handleFreshLine(text) == .quit {
          return ExitCode.success
        }
      }
    }
  }

  private enum Flow { case proceed, quit }

  /// A line typed at the primary prompt: a command, `?name`, or the start of an entry.
  private func handleFreshLine(_ text: String) -> Flow {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.isEmpty { return .proceed }
    if trimmed.hasPrefix("?") {
      editor.addToHistory(text)
      showHelp(for: String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces))
      return .proceed
    }
    guard trimmed.hasPrefix(":") else {
      submit(Entry(kind: .evaluate, source: text, typed: text))
      return .proceed
    }
    let (command, argument) = REPL.splitCommand(trimmed)
    // `:time` enters the history once complete (it may continue); leaving is not worth recalling.
    if ![":time", ":quit", ":q", ":exit"].contains(command) { editor.addToHistory(text) }
    switch command {
    case ":quit", ":q", ":exit":
      return .quit
    case ":help", ":h", ":?":
      print(REPL.commandHelp)
      print(session.helpIndex(display: displayOptions))
    case ":vars":
      let globals = session.globalsSummary(display: displayOptions)
      if globals.isEmpty { print(Style.dim("(no globals)", colour: terminal.colourOnStdout)) }
      let width = globals.map(\.name.count).max() ?? 0
      for global in globals {
        print(global.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + global.summary)
      }
    case ":reset":
      session.reset()
      print(Style.dim("(session reset: every global is forgotten)", colour: terminal.colourOnStdout))
    case ":load":
      load(argument)
    case ":time":
      if argument.isEmpty {
        editor.addToHistory(text)
        reportError("usage: :time EXPR")
      } else {
        submit(Entry(kind: .time, source: argument, typed: text))
      }
    default:
      reportError("unknown command '\(command)' (:help lists the commands)")
    }
    return .proceed
  }

  /// `":load  a b.hm"` → (":load", "a b.hm").
  static func splitCommand(_ line: String) -> (command: String, argument: String) {
    guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (line, "") }
    return (String(line[..<space]),
            String(line[space...]).trimmingCharacters(in: .whitespaces))
  }

  /// Evaluates an entry; an incomplete one waits for more lines.
  private func submit(_ entry: Entry) {
    let display = displayOptions
    let started = monotonicNanoseconds()
    let outcome = evaluate { $0.evaluate(entry.source, sourceName: "<repl>", mode: .interactive, display: display) }
    let elapsed = monotonicNanoseconds() - started
    if outcome == .incomplete {
      pending = entry
      return
    }
    editor.addToHistory(entry.typed)
    report(outcome)
    if entry.kind == .time, case .value = outcome {
      print(Style.dim("time: " + REPL.formatDuration(nanoseconds: elapsed), colour: terminal.colourOnStdout))
    }
  }

  /// `:load FILE`: runs the file as a script in this session.
  private func load(_ argument: String) {
    guard !argument.isEmpty else { return reportError("usage: :load FILE") }
    // `:load "a file.hm"` and `:load a file.hm` both name `a file.hm`.
    var name = argument
    if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
    let path = PathText.expandingTilde(name)
    let source: String
    do {
      source = try SourceFile.read(path)
    } catch {
      return reportError("\(error)")
    }
    let display = displayOptions
    let outcome = evaluate { $0.evaluate(source, sourceName: path, mode: .script, display: display) }
    if case .value = outcome {
      print(Style.dim("(loaded \(path))", colour: terminal.colourOnStdout))
    } else {
      report(outcome)
    }
  }

  private func showHelp(for name: String) {
    guard !name.isEmpty else { return print(REPL.commandHelp) }
    if let text = session.help(for: name, display: displayOptions) {
      print(text)
    } else {
      reportError("no help for '\(name)' (:help lists the builtins)")
    }
  }

  /// Runs `body` on the evaluation thread; Ctrl-C asks the session to stop (again at every poll
  /// until it does), and a third press on an evaluation that does not stop leaves the process.
  private func evaluate(_ body: @escaping (LanguageSession) -> EvaluationOutcome) -> EvaluationOutcome {
    let session = self.session
    return evaluator.run({ body(session) }, onInterrupt: { presses in
      if presses >= 3 {
        writeToStandardError("\nhmaml: the evaluation does not stop; leaving\n")
        exit(ExitCode.interrupted)
      }
      session.requestInterrupt()
    })
  }

  private func report(_ outcome: EvaluationOutcome) {
    switch outcome {
    case .value(let display):
      if let display { print(display) }
    case .incomplete:
      reportError("syntax error: unexpected end of input")
    case .syntaxError(let rendered), .runtimeError(let rendered):
      writeToStandardError(Style.diagnostic(rendered, colour: terminal.colourOnStderr) + "\n")
    case .interrupted(let rendered):
      // The terminal echoed "^C" on the current line.
      writeToStandardError("\n" + Style.diagnostic(rendered, colour: terminal.colourOnStderr) + "\n")
    }
  }

  private func reportError(_ message: String) {
    writeToStandardError(Style.error("error: ", colour: terminal.colourOnStderr) + message + "\n")
  }

  private var displayOptions: DisplayOptions {
    DisplayOptions(width: terminal.outputWidth(environment: environment), colour: terminal.colourOnStdout)
  }

  /// `1.23 s`, `45.6 ms`, `789 µs`, `12 ns`.
  static func formatDuration(nanoseconds: UInt64) -> String {
    let seconds = Double(nanoseconds) / 1e9
    if seconds >= 1 { return formatted("%.3f s", seconds) }
    if seconds >= 1e-3 { return formatted("%.3f ms", seconds * 1e3) }
    if seconds >= 1e-6 { return formatted("%.1f µs", seconds * 1e6) }
    return "\(nanoseconds) ns"
  }
}
