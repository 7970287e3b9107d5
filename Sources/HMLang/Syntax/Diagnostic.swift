/// A problem found in a program, as data: what kind, where, what was expected, and for runtime
/// errors the hm call stack. Tests assert on this value; the CLI and REPL print `rendered()`.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// The input is syntactically wrong.
    case syntax
    /// The input ended while a construct was still open (a brace, a string): the REPL shows a
    /// continuation prompt instead of an error.
    case incompleteInput = "incomplete input"
    /// A name, assignment or import the compiler rejects before running.
    case compile
    /// An error while running.
    case runtime
    /// The evaluation was stopped by Ctrl-C (or `Interrupt.request()`).
    case interrupted
  }

  /// One frame of an hm stack trace, innermost first.
  public struct Frame: Sendable {
    public var function: String
    public var source: Source?
    public var span: Span
  }

  public var kind: Kind
  public var message: String
  public var source: Source?
  public var span: Span
  public var notes: [String]
  public var trace: [Frame]

  public init(_ kind: Kind, _ message: String, source: Source?, span: Span,
              notes: [String] = [], trace: [Frame] = []) {
    self.kind = kind; self.message = message; self.source = source; self.span = span
    self.notes = notes; self.trace = trace
  }

  /// `line:col` of the start of the span (1-based), or nil without a source.
  public var position: (line: Int, column: Int)? { source.map { $0.position(of: span.start) } }

  public var description: String { rendered(colour: false) }

  /// `file:line:col: kind: message`, the source line, a caret under the span, notes, then the
  /// stack trace (runtime errors).
  public func rendered(colour: Bool = false) -> String {
    let red = colour ? "\u{1B}[1;31m" : "", bold = colour ? "\u{1B}[1m" : ""
    let blue = colour ? "\u{1B}[1;34m" : "", reset = colour ? "\u{1B}[0m" : ""
    let label: String
    switch kind {
    case .syntax, .incompleteInput: label = "syntax error"
    case .compile: label = "error"
    case .runtime: label = "runtime error"
    case .interrupted: label = "interrupted"
    }
    var out = ""
    if let source, let (line, column) = position {
      out += "\(bold)\(source.name):\(line):\(column):\(reset) \(red)\(label):\(reset) \(bold)\(message)\(reset)\n"
      let text = source.lineText(line)
      let gutter = String(line)
      out += "\(blue)\(gutter) |\(reset) \(text)\n"
      let startCol = column - 1
      let endPos = source.position(of: max(span.start, span.end - 1))
      let width = endPos.line == line ? max(1, endPos.column - column + 1) : max(1, text.count - startCol)
      let pad = String(text.prefix(startCol).map { $0 == "\t" ? "\t" : " " })
      out += "\(blue)\(String(repeating: " ", count: gutter.count)) |\(reset) \(pad)\(red)\(String(repeating: "^", count: width))\(reset)\n"
    } else {
      out += "\(red)\(label):\(reset) \(bold)\(message)\(reset)\n"
    }
    for note in notes { out += "  \(blue)note:\(reset) \(note)\n" }
    if !trace.isEmpty {
      out += "stack trace (most recent call first):\n"
      // Consecutive identical frames (deep recursion) are shown once with a count.
      var lines: [(String, Int)] = []
      for frame in trace {
        let place = frame.source.map { s -> String in
          let p = s.position(of: frame.span.start); return "\(s.name):\(p.line):\(p.column)"
        } ?? "<native>"
        let line = "in \(frame.function) at \(place)"
        if let last = lines.last, last.0 == line { lines[lines.count - 1].1 += 1 } else { lines.append((line, 1)) }
      }
      for (k, (line, n)) in lines.enumerated() {
        if k == 12 { out += "  ... \(lines.count - k) more\n"; break }
        out += "  \(line)" + (n > 1 ? "  (\(n) times)" : "") + "\n"
      }
    }
    return out
  }
}

/// Several diagnostics from one compilation (the parser reports all the errors it can find).
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
  public var items: [Diagnostic]
  public init(_ items: [Diagnostic]) { self.items = items }
  /// True when the only problem is that the input ended too early (REPL continuation).
  public var isIncompleteInput: Bool { !items.isEmpty && items.allSatisfy { $0.kind == .incompleteInput } }
  public var description: String { items.map { $0.rendered() }.joined() }
  public func rendered(colour: Bool = false) -> String { items.map { $0.rendered(colour: colour) }.joined() }
}
