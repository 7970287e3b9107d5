import HMRuntime
#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// The real language behind the CLI and REPL: HMRuntime's `Interpreter` adapted to
/// `LanguageSession` (echo rules, `ans`, incomplete input, rendering, completion).
final class InterpreterSession: LanguageSession {
  /// The REPL, `-e` code and standard input import from the current folder (as Python's do).
  let interpreter = Interpreter(scriptDirectory: ".")

  func evaluate(_ source: String, sourceName: String, mode: EvaluationMode, display: DisplayOptions) -> EvaluationOutcome {
    if mode == .script, FileManager.default.fileExists(atPath: sourceName) {
      // Imports of a script resolve from its own folder.
      let dir = sourceName.contains("/") ? String(sourceName[..<(sourceName.lastIndex(of: "/") ?? sourceName.endIndex)]) : "."
      interpreter.main.directory = dir.isEmpty ? "/" : dir
    }
    do {
      let value = try interpreter.evaluateRaw(source, name: sourceName)
      guard mode == .interactive else { return .value(display: nil) }
      interpreter.main.define("ans", value)
      // A trailing `;` hides the result; nil (definitions, statements) echoes nothing.
      let hidden = source.reversed().drop { $0 == " " || $0 == "\n" || $0 == "\t" }.first == ";"
      if hidden || value.isNil { return .value(display: nil) }
      return .value(display: interpreter.prettyPrint(value, width: display.width))
    } catch {
      if mode == .interactive && error.isIncompleteInput { return .incomplete }
      let text = render(error, display)
      switch error.items.first?.kind {
      case .interrupted?: return .interrupted(rendered: text)
      case .runtime?: return .runtimeError(rendered: text)
      default: return .syntaxError(rendered: text)
      }
    }
  }

  func render(_ d: Diagnostics, _ display: DisplayOptions) -> String {
    var text = d.rendered(colour: display.colour)
    while text.hasSuffix("\n") { text.removeLast() }
    return text
  }

  func check(_ source: String, sourceName: String, display: DisplayOptions) -> EvaluationOutcome {
    if let d = interpreter.check(source, name: sourceName) { return .syntaxError(rendered: render(d, display)) }
    return .value(display: nil)
  }

  func disassemble(_ source: String, sourceName: String, display: DisplayOptions) -> EvaluationOutcome {
    switch interpreter.disassemble(source, name: sourceName) {
    case .success(let listing): return .value(display: listing)
    case .failure(let d): return .syntaxError(rendered: render(d, display))
    }
  }

  func completions(forLine line: String, cursor: Int) -> Completions {
    let bytes = Array(line.utf8)
    let prefix = String(decoding: bytes.prefix(max(0, min(cursor, bytes.count))), as: UTF8.self)
    // The word being completed starts after the last character that cannot be in a name.
    var start = prefix.utf8.count
    for b in prefix.utf8.reversed() {
      let isName = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b >= 0x80
      if !isName { break }
      start -= 1
    }
    let candidates = interpreter.completions(for: prefix)
    return Completions(replaceFrom: start, candidates: candidates)
  }

  func help(for name: String, display: DisplayOptions) -> String? {
    guard var h = interpreter.help(for: name) else { return nil }
    while h.hasSuffix("\n") { h.removeLast() }
    return h
  }

  func helpIndex(display: DisplayOptions) -> String {
    var text = interpreter.registry.index()
    while text.hasSuffix("\n") { text.removeLast() }
    return text
  }

  func globalsSummary(display: DisplayOptions) -> [GlobalSummary] {
    // The user's globals: everything defined in the session that is not a builtin.
    interpreter.main.definedNames.filter { !interpreter.vm.isBuiltin($0) }.compactMap { name in
      guard let v = interpreter.main.value(of: name) else { return nil }
      var text = interpreter.display(v, width: display.width)
      let room = max(20, display.width - name.count - 15)
      if text.count > room { text = String(text.prefix(room)) + "..." }
      return GlobalSummary(name: name, summary: "\(v.typeName) = \(text)")
    }
  }

  func reset() { interpreter.reset() }
  func setScriptArguments(_ arguments: [String]) { interpreter.scriptArguments = arguments }
  func setSeed(_ seed: UInt64) { interpreter.seed = seed }
  func requestInterrupt() { Interrupt.request() }
}
