/// Turns source bytes into tokens. Newlines are tokens (statement separators) except inside
/// parentheses and brackets, where expressions may span lines. Comments run from `#` to the
/// end of the line.
public struct Lexer {
  private let source: Source
  private let bytes: [UInt8]
  private let end: Int
  private var i: Int
  /// Open `(`, `[` and `{`; a newline is a token only when the innermost one is `{` or none.
  private var nesting: [UInt8] = []

  public init(source: Source, range: Range<Int>? = nil) {
    self.source = source
    self.bytes = source.bytes
    self.i = range?.lowerBound ?? 0
    self.end = range?.upperBound ?? source.bytes.count
  }

  public mutating func tokenize() -> [Token] {
    var tokens: [Token] = []
    var atLineStart = true
    while true {
      let (kind, span, sawNewline) = next()
      if case .newline = kind {
        if let last = tokens.last, case .newline = last.kind {} else if !tokens.isEmpty {
          tokens.append(Token(kind: .newline, span: span, atLineStart: false))
        }
        atLineStart = true
        continue
      }
      tokens.append(Token(kind: kind, span: span, atLineStart: atLineStart || sawNewline))
      atLineStart = false
      if case .eof = kind { return tokens }
    }
  }

  private func peek(_ k: Int = 0) -> UInt8 { i + k < end ? bytes[i + k] : 0 }

  private mutating func next() -> (TokenKind, Span, Bool) {
    var sawNewline = false
    while i < end {
      let c = bytes[i]
      if c == 32 || c == 9 || c == 13 { i += 1; continue }
      if c == UInt8(ascii: "#") {
        while i < end && bytes[i] != 10 { i += 1 }
        continue
      }
      if c == 10 {
        if nesting.last == UInt8(ascii: "(") || nesting.last == UInt8(ascii: "[") {
          i += 1; sawNewline = true; continue
        }
        i += 1
        return (.newline, Span(i - 1, i), true)
      }
      if c == UInt8(ascii: "\\") && peek(1) == 10 { i += 2; continue }  // explicit line join
      break
    }
    let start = i
    guard i < end else { return (.eof, Span(end, end), sawNewline) }
    let c = bytes[i]
    if isDigit(c) { return (number(), Span(start, i), sawNewline) }
    if isIdentStart(c) {
      while i < end && isIdentContinue(bytes[i]) { i += 1 }
      let word = String(decoding: bytes[start..<i], as: UTF8.self)
      if let k = Keyword(rawValue: word) { return (.keyword(k), Span(start, i), sawNewline) }
      return (.identifier(word), Span(start, i), sawNewline)
    }
    if c == UInt8(ascii: "\"") { return (string(), Span(start, i), sawNewline) }
    return (symbol(), Span(start, i), sawNewline)
  }

  private func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
  private func isIdentStart(_ c: UInt8) -> Bool {
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 0x80
  }
  private func isIdentContinue(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }

  private mutating func number() -> TokenKind {
    let start = i
    if peek() == UInt8(ascii: "0"), peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X") {
      i += 2
      let digitsStart = i
      while i < end, isHex(bytes[i]) || bytes[i] == 95 { i += 1 }
      let digits = String(decoding: bytes[digitsStart..<i], as: UTF8.self).replacingOccurrences("_", "")
      guard !digits.isEmpty, let v = Int(digits, radix: 16) else {
        return .error("integer literal '\(text(start))' is too large or malformed (integers are 64-bit)")
      }
      return .int(v)
    }
    var isFloat = false
    while i < end, isDigit(bytes[i]) || bytes[i] == 95 { i += 1 }
    if peek() == UInt8(ascii: "."), isDigit(peek(1)) {
      isFloat = true; i += 1
      while i < end, isDigit(bytes[i]) || bytes[i] == 95 { i += 1 }
    }
    if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      let save = i
      i += 1
      if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { i += 1 }
      if isDigit(peek()) {
        isFloat = true
        while i < end, isDigit(bytes[i]) { i += 1 }
      } else { i = save }
    }
    let literal = text(start).replacingOccurrences("_", "")
    if isFloat {
      guard let v = Double(literal) else { return .error("malformed number '\(literal)'") }
      return .float(v)
    }
    guard let v = Int(literal) else {
      return .error("integer literal '\(literal)' is too large (integers are 64-bit; write \(literal).0 for a float)")
    }
    return .int(v)
  }

  private func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) }
  private func text(_ start: Int) -> String { String(decoding: bytes[start..<i], as: UTF8.self) }

  /// `"..."` with escapes and `{expr}` interpolation, or `"""..."""` (multi-line, dedented).
  private mutating func string() -> TokenKind {
    let triple = peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"")
    i += triple ? 3 : 1
    var pieces: [StringPiece] = []
    var buffer: [UInt8] = []
    func flush() {
      if !buffer.isEmpty { pieces.append(.text(String(decoding: buffer, as: UTF8.self))); buffer = [] }
    }
    while true {
      guard i < end else { return .error(triple ? "unterminated string (missing \"\"\")" : "unterminated string") }
      let c = bytes[i]
      if triple {
        if c == UInt8(ascii: "\""), peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { i += 3; break }
      } else {
        if c == UInt8(ascii: "\"") { i += 1; break }
        if c == 10 { return .error("unterminated string (strings end on the same line; use \"\"\" for several lines)") }
      }
      if c == UInt8(ascii: "\\") {
        i += 1
        guard i < end else { return .error("unterminated string") }
        let e = bytes[i]; i += 1
        switch e {
        case UInt8(ascii: "n"): buffer.append(10)
        case UInt8(ascii: "t"): buffer.append(9)
        case UInt8(ascii: "r"): buffer.append(13)
        case UInt8(ascii: "0"): buffer.append(0)
        case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"): buffer.append(e)
        case UInt8(ascii: "e"): buffer.append(27)
        case UInt8(ascii: "u"):
          // \u{XXXX}
          guard peek() == UInt8(ascii: "{") else { return .error("malformed \\u escape: expected \\u{hex}") }
          i += 1
          let s = i
          while i < end, isHex(bytes[i]) { i += 1 }
          guard peek() == UInt8(ascii: "}"), let code = UInt32(text(s), radix: 16),
                let scalar = Unicode.Scalar(code) else { return .error("malformed \\u escape") }
          i += 1
          buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
          return .error("unknown escape '\\\(Character(Unicode.Scalar(e)))' in string")
        }
        continue
      }
      if c == UInt8(ascii: "{") {
        flush()
        i += 1
        let exprStart = i
        var depth = 1
        while i < end {
          let d = bytes[i]
          if d == UInt8(ascii: "{") { depth += 1 }
          if d == UInt8(ascii: "}") { depth -= 1; if depth == 0 { break } }
          if d == UInt8(ascii: "\"") {
            // A string inside the interpolation (`"{f("x")}"`): skip it whole, so that its
            // braces and quotes do not end ours; the sub-parser lexes it again.
            i += 1
            while i < end && bytes[i] != UInt8(ascii: "\"") && bytes[i] != 10 {
              if bytes[i] == UInt8(ascii: "\\") { i += 1 }
              i += 1
            }
            if i >= end || bytes[i] == 10 { break }
            i += 1
            continue
          }
          if d == 10 && !triple { break }
          i += 1
        }
        guard i < end, bytes[i] == UInt8(ascii: "}") else {
          return .error("unterminated interpolation: expected '}' (write \\{ for a literal brace)")
        }
        pieces.append(.interpolation(Span(exprStart, i)))
        i += 1
        continue
      }
      buffer.append(c); i += 1
    }
    flush()
    return .string(triple ? dedent(pieces) : pieces)
  }

  /// Multi-line strings drop the newline after the opening quotes and the common indentation of
  /// their lines, so that maze maps and other blocks can be indented with the code. Blank lines
  /// do not count towards the common indentation, and an interpolation at the start of a line is
  /// content (its line's indentation is the text before it).
  private func dedent(_ pieces: [StringPiece]) -> [StringPiece] {
    // The text as lines of elements: characters, and interpolations kept in place.
    enum Element { case character(Character), interpolation(Span) }
    var lines: [[Element]] = [[]]
    for piece in pieces {
      switch piece {
      case .text(let t):
        for ch in t {
          if ch == "\n" { lines.append([]) } else { lines[lines.count - 1].append(.character(ch)) }
        }
      case .interpolation(let span): lines[lines.count - 1].append(.interpolation(span))
      }
    }
    func isBlank(_ line: [Element]) -> Bool {
      line.allSatisfy { if case .character(let c) = $0 { return c == " " || c == "\t" } else { return false } }
    }
    if lines.count > 1, lines[0].isEmpty { lines.removeFirst() }
    // The line holding the closing quotes is not content (Swift's rule): `"""` on its own line
    // ends the text without a trailing newline.
    if lines.count > 1, let last = lines.last, isBlank(last) { lines.removeLast() }
    let cut = lines.filter { !isBlank($0) }.map { line in
      line.prefix { if case .character(let c) = $0 { return c == " " || c == "\t" } else { return false } }.count
    }.min() ?? 0
    var out: [StringPiece] = []
    var text = ""
    for (n, line) in lines.enumerated() {
      if n > 0 { text.append("\n") }
      for element in line.dropFirst(min(cut, line.count)) {
        switch element {
        case .character(let c): text.append(c)
        case .interpolation(let span):
          if !text.isEmpty { out.append(.text(text)); text = "" }
          out.append(.interpolation(span))
        }
      }
    }
    if !text.isEmpty || out.isEmpty { out.append(.text(text)) }
    return out
  }

  /// Symbols by their bytes, longest first (no String is built per attempt).
  private static let symbolTable: [(bytes: [UInt8], symbol: Symbol)] = Symbol.allCases
    .map { (Array($0.rawValue.utf8), $0) }
    .sorted { $0.bytes.count > $1.bytes.count }

  private mutating func symbol() -> TokenKind {
    let c = bytes[i]
    for (text, s) in Lexer.symbolTable where text[0] == c && i + text.count <= end {
      var matches = true
      for k in 1..<text.count where bytes[i + k] != text[k] { matches = false; break }
      guard matches else { continue }
      i += text.count
      switch s {
      case .lparen, .lbracket, .lbrace: nesting.append(c)
      case .rparen, .rbracket, .rbrace: if !nesting.isEmpty { nesting.removeLast() }
      default: break
      }
      return .symbol(s)
    }
    // Consume one whole UTF-8 character for the message.
    let start = i
    i += 1
    while i < end, bytes[i] & 0xC0 == 0x80 { i += 1 }
    let ch = String(decoding: bytes[start..<i], as: UTF8.self)
    if ch == "!" { return .error("unexpected '!': use 'not' for negation and '!=' for inequality") }
    return .error("unexpected character '\(ch)'")
  }
}

extension String {
  func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
    var out = ""; out.reserveCapacity(count)
    for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
    return out
  }
}
