import CLibEdit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Line editing on BSD libedit (never GNU readline): a prompt, emacs keys, persistent history
/// with Ctrl-R search, and tab completion through a callback.
///
/// libedit facts this relies on (DESIGN.md §8): `el_gets` returns the line with its newline;
/// count 0 is end of input (Ctrl-D on an empty line); count −1 with EINTR is Ctrl-C (the SIGINT
/// handler is installed without SA_RESTART and `EL_SIGNAL` makes libedit restore the terminal
/// before passing the signal on). History entries may hold newlines: `H_SAVE` escapes them
/// (strvis), so a multi-line entry stays one item across restarts.
final class LineEditor {
  /// What one `readLine` produced.
  enum Input: Equatable {
    /// A line, without its trailing newline (a recalled multi-line entry holds newlines).
    case line(String)
    /// Ctrl-C: the line is dropped.
    case interrupted
    /// Ctrl-D on an empty line, or the terminal went away.
    case endOfInput
  }

  /// The maximum number of history entries kept.
  static let historySize: Int32 = 1000

  private let editLine: OpaquePointer
  private let history: OpaquePointer
  /// The prompt libedit asks for through the C callback; owned by this object.
  private var promptText: UnsafeMutablePointer<CChar>?
  /// Where history is saved after every entry; `nil` keeps it in memory only.
  let historyPath: String?
  /// Answers Tab: (current line, cursor as a UTF-8 offset).
  var completer: ((String, Int) -> Completions)?
  /// Set when saving the history failed once, so the warning is not repeated after every entry.
  private var reportedHistoryFailure = false

  /// Sets up libedit on the process's standard streams.
  /// - Throws: `CLIError.system` when libedit cannot initialise the terminal.
  init(programName: String, historyPath: String?) throws {
    guard let editLine = el_init(programName, hm_stdin(), hm_stdout(), hm_stderr()) else {
      throw CLIError.system("libedit cannot initialise the terminal")
    }
    guard let history = history_init() else {
      el_end(editLine)
      throw CLIError.system("libedit cannot initialise the history")
    }
    self.editLine = editLine
    self.history = history
    self.historyPath = historyPath
    hm_history_set_size(history, LineEditor.historySize)
    hm_history_set_unique(history, 1)
    if let historyPath, FileManager.default.fileExists(atPath: historyPath) {
      if hm_history_load(history, historyPath) < 0 {
        writeToStandardError("hmaml: warning: cannot read the history file '\(historyPath)'\n")
      }
    }
    hm_el_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
    hm_el_set_editor(editLine, "emacs")
    hm_el_set_signal(editLine, 1)
    hm_el_set_history(editLine, history)
    hm_el_set_prompt_with_escapes(editLine, { editLine in
      guard let editLine, let data = hm_el_client_data(editLine),
            let prompt = Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().promptText
      else { return LineEditor.emptyPrompt }
      return prompt
    }, CChar(LineEditor.escapeMarker))
    hm_el_add_function(editLine, "hm-complete", "Complete hm names and members") { editLine, _ in
      guard let editLine, let data = hm_el_client_data(editLine) else { return UInt8(CC_ERROR) }
      return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().complete()
    }
    hm_el_bind(editLine, "^I", "hm-complete")
    hm_el_bind(editLine, "^R", "em-inc-search-prev")
    // The user's ~/.editrc (libedit's own configuration file) may refine the bindings.
    el_source(editLine, nil)
  }

  deinit {
    el_end(editLine)
    history_end(history)
    free(promptText)
  }

  /// A constant empty prompt for the (impossible) case of a missing client pointer.
  private static let emptyPrompt: UnsafeMutablePointer<CChar> = {
    guard let empty = strdup("") else { preconditionFailure("out of memory") }
    return empty
  }()

  /// Brackets the terminal escapes in a prompt (libedit's `EL_PROMPT_ESC` ignore character).
  static let escapeMarker: UInt8 = 1

  /// `prompt` in bold green, its trailing blanks left plain.
  static func coloured(prompt: String) -> String {
    let marker = String(UnicodeScalar(escapeMarker))
    let body = prompt.trimmingCharacters(in: .whitespaces)
    let trailing = String(prompt.dropFirst(body.count))
    return marker + "\u{1B}[1;32m" + marker + body + marker + "\u{1B}[0m" + marker + trailing
  }

  /// Shows `prompt` (in colour when `colour`) and reads one line with editing.
  func readLine(prompt: String, colour: Bool = false) -> Input {
    free(promptText)
    promptText = strdup(colour ? LineEditor.coloured(prompt: prompt) : prompt)
    var count: Int32 = 0
    let line = el_gets(editLine, &count)
    let error = hm_errno()
    if count < 0 { return error == EINTR ? .interrupted : .endOfInput }
    guard let line, count > 0 else { return .endOfInput }
    var text = String(cString: line)
    if text.hasSuffix("\n") { text.removeLast() }
    return .line(text)
  }

  /// Adds one complete entry (possibly several lines) as one history item and saves the history
  /// file (temporary file + rename, so a crash never leaves it half-written).
  func addToHistory(_ entry: String) {
    guard !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
    hm_history_enter(history, entry)
    guard let historyPath else { return }
    let temporaryPath = historyPath + ".tmp-\(getpid())"
    if hm_history_save(history, temporaryPath) < 0 || rename(temporaryPath, historyPath) != 0 {
      let reason = String(cString: strerror(hm_errno()))
      unlink(temporaryPath)
      if !reportedHistoryFailure {
        reportedHistoryFailure = true
        writeToStandardError("hmaml: warning: cannot save the history to '\(historyPath)': \(reason)\n")
      }
    }
  }

  // MARK: Completion

  /// What Tab inserts at the start of a line.
  static let indentation = "  "

  /// Tab: inserts the candidates' common prefix; when that adds nothing and several remain,
  /// lists them under the line and redraws it.
  private func complete() -> UInt8 {
    guard let completer, let info = el_line(editLine) else { return UInt8(CC_ERROR) }
    guard let start = info.pointee.buffer, let last = info.pointee.lastchar,
          let cursorPointer = info.pointee.cursor else { return UInt8(CC_ERROR) }
    let length = last - start
    let cursor = cursorPointer - start
    guard length >= 0, cursor >= 0, cursor <= length else { return UInt8(CC_ERROR) }
    let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(start), count: length)
    // Tab in leading white space indents (the body of a multi-line definition).
    if bytes[0..<cursor].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
      el_insertstr(editLine, LineEditor.indentation)
      return UInt8(CC_REFRESH)
    }
    let line = String(decoding: bytes, as: UTF8.self)
    let answer = completer(line, cursor)
    guard !answer.candidates.isEmpty, answer.replaceFrom >= 0, answer.replaceFrom <= cursor else {
      return UInt8(CC_ERROR)
    }
    let word = String(decoding: bytes[answer.replaceFrom..<cursor], as: UTF8.self)
    let prefix = LineEditor.commonPrefix(of: answer.candidates)
    if prefix.count > word.count || (answer.candidates.count == 1 && prefix != word) {
      el_deletestr(editLine, Int32(word.unicodeScalars.count))
      el_insertstr(editLine, prefix)
      return UInt8(CC_REFRESH)
    }
    if answer.candidates.count == 1 { return UInt8(CC_NORM) }
    let width = Int(hm_terminal_columns(STDOUT_FILENO))
    fputs("\r\n" + LineEditor.columns(answer.candidates, width: width > 0 ? width : 80), hm_stdout())
    fflush(hm_stdout())
    return UInt8(CC_REDISPLAY)
  }

  /// The longest common prefix, by characters.
  static func commonPrefix(of words: [String]) -> String {
    guard var prefix = words.first else { return "" }
    for word in words.dropFirst() {
      while !word.hasPrefix(prefix) { prefix.removeLast() }
    }
    return prefix
  }

  /// `words` laid out in columns across `width`, row by row, each row ending with "\r\n" (the
  /// terminal is in raw mode while libedit edits).
  static func columns(_ words: [String], width: Int) -> String {
    let cell = (words.map(\.count).max() ?? 0) + 2
    let perRow = max(1, width / max(cell, 1))
    var text = ""
    for (index, word) in words.enumerated() {
      let isRowEnd = (index + 1) % perRow == 0 || index == words.count - 1
      text += isRowEnd ? word + "\r\n" : word.padding(toLength: cell, withPad: " ", startingAt: 0)
    }
    return text
  }
}
