import CLibEdit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the process's standard streams and environment say about the terminal.
struct Terminal {
  var stdinIsTerminal: Bool
  var stdoutIsTerminal: Bool
  var stderrIsTerminal: Bool
  /// `TERM`, `nil` when unset.
  var termName: String?
  /// `NO_COLOR` set to a non-empty value (https://no-color.org).
  var colourDisabledByUser: Bool

  /// Reads the current process's streams and environment.
  static func current(environment: [String: String]) -> Terminal {
    Terminal(stdinIsTerminal: isatty(STDIN_FILENO) == 1,
             stdoutIsTerminal: isatty(STDOUT_FILENO) == 1,
             stderrIsTerminal: isatty(STDERR_FILENO) == 1,
             termName: environment["TERM"],
             colourDisabledByUser: !(environment["NO_COLOR"] ?? "").isEmpty)
  }

  /// A terminal able to show line editing: `TERM` set and not `dumb`.
  var isCapable: Bool {
    guard let termName, !termName.isEmpty else { return false }
    return termName != "dumb"
  }

  /// Whether `hmaml` with no file opens the REPL (otherwise standard input runs as a script).
  var wantsREPL: Bool { stdinIsTerminal && stdoutIsTerminal && isCapable }

  /// Colour on standard output: a capable terminal and no `NO_COLOR`. Never in a pipe.
  var colourOnStdout: Bool { stdoutIsTerminal && isCapable && !colourDisabledByUser }
  /// Colour on standard error, by the same rule.
  var colourOnStderr: Bool { stderrIsTerminal && isCapable && !colourDisabledByUser }

  /// The width of standard output in columns: the terminal's, else `COLUMNS`, else 80.
  func outputWidth(environment: [String: String]) -> Int {
    let columns = Int(hm_terminal_columns(STDOUT_FILENO))
    if columns > 0 { return columns }
    if let text = environment["COLUMNS"], let value = Int(text), value > 0 { return value }
    return 80
  }
}

/// ANSI styling of the front end's own messages and of error headlines.
enum Style {
  static func error(_ text: String, colour: Bool) -> String {
    colour ? "\u{1B}[1;31m\(text)\u{1B}[0m" : text
  }
  static func dim(_ text: String, colour: Bool) -> String {
    colour ? "\u{1B}[2m\(text)\u{1B}[0m" : text
  }

  /// Colours the first line of a rendered diagnostic in bold red, unless the session coloured it
  /// already (any escape code in the text) or colour is off.
  static func diagnostic(_ rendered: String, colour: Bool) -> String {
    guard colour, !rendered.contains("\u{1B}") else { return rendered }
    guard let newline = rendered.firstIndex(of: "\n") else { return error(rendered, colour: true) }
    return error(String(rendered[..<newline]), colour: true) + String(rendered[newline...])
  }
}

/// Writes to standard error (unbuffered).
func writeToStandardError(_ text: String) {
  fflush(stdout)
  fputs(text, hm_stderr())
}
