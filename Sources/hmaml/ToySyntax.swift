import Foundation

// The stand-in language's lexer, syntax tree and parser (see ToySession.swift); deleted with it
// when HMRuntime's interpreter is wired in.

// MARK: Syntax

struct ToyPosition: Equatable {
  var line: Int
  var column: Int
}

struct ToyError: Error {
  enum Kind { case incompleteInput, syntax, runtime, interrupted }
  var kind: Kind
  var message: String
  var position: ToyPosition

  init(_ kind: Kind, _ message: String, at position: ToyPosition) {
    self.kind = kind
    self.message = message
    self.position = position
  }

  /// `file:line:col: error: message`, the source line, a caret.
  func render(source: String, sourceName: String) -> String {
    let label = kind == .syntax || kind == .incompleteInput ? "syntax error" : "error"
    var text = "\(sourceName):\(position.line):\(position.column): \(label): \(message)"
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    if position.line >= 1 && position.line <= lines.count {
      text += "\n  " + lines[position.line - 1]
      text += "\n  " + String(repeating: " ", count: max(0, position.column - 1)) + "^"
    }
    return text
  }
}

indirect enum ToyExpression {
  case literal(ToyValue)
  case name(String, ToyPosition)
  case list([ToyExpression])
  case record([ToyExpressionField])
  case member(ToyExpression, String, ToyPosition)
  case negate(ToyExpression, ToyPosition)
  case binary(String, ToyExpression, ToyExpression, ToyPosition)
  case call(ToyExpression, [ToyExpression], ToyPosition)
}

enum ToyStatement {
  case define(String, ToyExpression, ToyPosition)
  case assign(String, ToyExpression, ToyPosition)
  case function(String, [String], [ToyStatement], ToyPosition)
  case `while`(ToyExpression, [ToyStatement], ToyPosition)
  case expression(ToyExpression)
}

struct ToyToken {
  enum Kind: Equatable { case name, int, string, symbol, newline, end }
  var kind: Kind
  var text: String
  var position: ToyPosition
}

enum ToyLexer {
  static func isIdentifierByte(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
  }

  /// Splits `source` into tokens; unbalanced brackets or an open string are incomplete input.
  static func tokens(_ source: String) throws -> [ToyToken] {
    var tokens: [ToyToken] = []
    var brackets: [(Character, ToyPosition)] = []
    var line = 1, column = 1
    let characters = Array(source)
    var index = 0
    func position() -> ToyPosition { ToyPosition(line: line, column: column) }
    while index < characters.count {
      let character = characters[index]
      let start = position()
      if character == "\n" {
        tokens.append(ToyToken(kind: .newline, text: "\n", position: start))
        index += 1; line += 1; column = 1
        continue
      }
      if character == " " || character == "\t" || character == "\r" { index += 1; column += 1; continue }
      if character == "#" {
        while index < characters.count && characters[index] != "\n" { index += 1 }
        continue
      }
      if character.isNumber && character.isASCII {
        var text = ""
        while index < characters.count && characters[index].isASCII && characters[index].isNumber {
          text.append(characters[index]); index += 1; column += 1
        }
        tokens.append(ToyToken(kind: .int, text: text, position: start))
        continue
      }
      if character.isLetter || character == "_" {
        var text = ""
        while index < characters.count && (characters[index].isLetter || characters[index].isNumber || characters[index] == "_") {
          text.append(characters[index]); index += 1; column += 1
        }
        tokens.append(ToyToken(kind: .name, text: text, position: start))
        continue
      }
      if character == "\"" {
        var text = ""
        index += 1; column += 1
        while index < characters.count && characters[index] != "\"" {
          if characters[index] == "\n" { line += 1; column = 0 }
          text.append(characters[index]); index += 1; column += 1
        }
        if index >= characters.count { throw ToyError(.incompleteInput, "unterminated string", at: start) }
        index += 1; column += 1
        tokens.append(ToyToken(kind: .string, text: text, position: start))
        continue
      }
      let pair = index + 1 < characters.count ? String([character, characters[index + 1]]) : ""
      if pair == "==" || pair == "//" {
        tokens.append(ToyToken(kind: .symbol, text: pair, position: start))
        index += 2; column += 2
        continue
      }
      guard "(){}[],:.=+-*/;<>".contains(character) else {
        throw ToyError(.syntax, "unexpected character '\(character)'", at: start)
      }
      switch character {
      case "(", "{", "[": brackets.append((character, start))
      case ")", "}", "]":
        let opening: Character = character == ")" ? "(" : character == "}" ? "{" : "["
        guard let last = brackets.popLast(), last.0 == opening else {
          throw ToyError(.syntax, "unbalanced '\(character)'", at: start)
        }
      default: break
      }
      tokens.append(ToyToken(kind: .symbol, text: String(character), position: start))
      index += 1; column += 1
    }
    if let open = brackets.last {
      throw ToyError(.incompleteInput, "'\(open.0)' is not closed", at: open.1)
    }
    if let last = tokens.last(where: { $0.kind != .newline }), last.kind == .symbol,
       ["=", "+", "-", "*", "/", "//", ",", ".", "<", ">", "=="].contains(last.text) {
      throw ToyError(.incompleteInput, "the input ends after '\(last.text)'", at: last.position)
    }
    tokens.append(ToyToken(kind: .end, text: "", position: position()))
    return tokens
  }
}

/// Recursive descent; the grammar rule sits atop each function.
struct ToyParser {
  private var tokens: [ToyToken]
  private var index = 0

  init(source: String) throws {
    tokens = try ToyLexer.tokens(source)
  }

  private var current: ToyToken { tokens[min(index, tokens.count - 1)] }

  private mutating func advance() -> ToyToken {
    let token = current
    if index < tokens.count - 1 { index += 1 }
    return token
  }

  private mutating func skipSeparators() {
    while current.kind == .newline || (current.kind == .symbol && current.text == ";") { _ = advance() }
  }

  private mutating func expect(_ text: String) throws {
    guard current.text == text, current.kind == .symbol else {
      throw ToyError(.syntax, "expected '\(text)', found '\(current.text)'", at: current.position)
    }
    _ = advance()
  }

  private mutating func expectName() throws -> String {
    guard current.kind == .name else {
      throw ToyError(.syntax, "expected a name, found '\(current.text)'", at: current.position)
    }
    return advance().text
  }

  // program := (statement separator)*
  mutating func parseProgram() throws -> [ToyStatement] {
    var statements: [ToyStatement] = []
    skipSeparators()
    while current.kind != .end {
      statements.append(try parseStatement())
      guard current.kind == .newline || current.kind == .end || current.text == ";" || current.text == "}" else {
        throw ToyError(.syntax, "unexpected '\(current.text)'", at: current.position)
      }
      skipSeparators()
    }
    return statements
  }

  // block := '{' statement* '}'
  private mutating func parseBlock() throws -> [ToyStatement] {
    try expect("{")
    var statements: [ToyStatement] = []
    skipSeparators()
    while !(current.kind == .symbol && current.text == "}") {
      if current.kind == .end { throw ToyError(.incompleteInput, "block is not closed", at: current.position) }
      statements.append(try parseStatement())
      skipSeparators()
    }
    try expect("}")
    return statements
  }

  // statement := ('let'|'var') NAME '=' expr | 'fn' NAME '(' names ')' block
  //            | 'while' expr block | NAME '=' expr | expr
  private mutating func parseStatement() throws -> ToyStatement {
    let position = current.position
    if current.kind == .name {
      switch current.text {
      case "let", "var":
        _ = advance()
        let name = try expectName()
        try expect("=")
        return .define(name, try parseExpression(), position)
      case "fn":
        _ = advance()
        let name = try expectName()
        try expect("(")
        var parameters: [String] = []
        while current.text != ")" {
          parameters.append(try expectName())
          if current.text == "," { _ = advance() } else { break }
        }
        try expect(")")
        return .function(name, parameters, try parseBlock(), position)
      case "while":
        _ = advance()
        let condition = try parseExpression()
        return .while(condition, try parseBlock(), position)
      default:
        if index + 1 < tokens.count, tokens[index + 1].text == "=", tokens[index + 1].kind == .symbol {
          let name = advance().text
          _ = advance()
          return .assign(name, try parseExpression(), position)
        }
      }
    }
    return .expression(try parseExpression())
  }

  // expr := sum (('<'|'>'|'==') sum)?
  private mutating func parseExpression() throws -> ToyExpression {
    let left = try parseSum()
    if current.kind == .symbol, ["<", ">", "=="].contains(current.text) {
      let op = advance()
      return .binary(op.text, left, try parseSum(), op.position)
    }
    return left
  }

  // sum := product (('+'|'-') product)*
  private mutating func parseSum() throws -> ToyExpression {
    var left = try parseProduct()
    while current.kind == .symbol, current.text == "+" || current.text == "-" {
      let op = advance()
      left = .binary(op.text, left, try parseProduct(), op.position)
    }
    return left
  }

  // product := unary (('*'|'/'|'//') unary)*
  private mutating func parseProduct() throws -> ToyExpression {
    var left = try parseUnary()
    while current.kind == .symbol, ["*", "/", "//"].contains(current.text) {
      let op = advance()
      left = .binary(op.text, left, try parseUnary(), op.position)
    }
    return left
  }

  // unary := '-' unary | postfix
  private mutating func parseUnary() throws -> ToyExpression {
    if current.kind == .symbol && current.text == "-" {
      let op = advance()
      return .negate(try parseUnary(), op.position)
    }
    return try parsePostfix()
  }

  // postfix := primary ('(' arguments ')' | '.' NAME)*
  private mutating func parsePostfix() throws -> ToyExpression {
    var expression = try parsePrimary()
    while current.kind == .symbol {
      if current.text == "(" {
        let open = advance()
        expression = .call(expression, try parseList(closing: ")"), open.position)
      } else if current.text == "." {
        let dot = advance()
        expression = .member(expression, try expectName(), dot.position)
      } else {
        break
      }
    }
    return expression
  }

  /// Comma-separated expressions up to `closing` (consumed); newlines are ignored.
  private mutating func parseList(closing: String) throws -> [ToyExpression] {
    var elements: [ToyExpression] = []
    while current.kind == .newline { _ = advance() }
    while current.text != closing {
      elements.append(try parseExpression())
      while current.kind == .newline { _ = advance() }
      if current.text == "," { _ = advance() } else { break }
      while current.kind == .newline { _ = advance() }
    }
    try expect(closing)
    return elements
  }

  // primary := INT | STRING | 'true' | 'false' | 'nil' | NAME | '(' expr ')' | list | record
  private mutating func parsePrimary() throws -> ToyExpression {
    let token = advance()
    switch token.kind {
    case .int:
      guard let value = Int(token.text) else { throw ToyError(.syntax, "integer literal too large", at: token.position) }
      return .literal(.int(value))
    case .string: return .literal(.string(token.text))
    case .name:
      switch token.text {
      case "true": return .literal(.bool(true))
      case "false": return .literal(.bool(false))
      case "nil": return .literal(.nil)
      default: return .name(token.text, token.position)
      }
    case .symbol where token.text == "(":
      let inner = try parseExpression()
      try expect(")")
      return inner
    case .symbol where token.text == "[":
      return .list(try parseList(closing: "]"))
    case .symbol where token.text == "{":
      var fields: [ToyExpressionField] = []
      while current.kind == .newline { _ = advance() }
      while current.text != "}" {
        let name = try expectName()
        try expect(":")
        fields.append(ToyExpressionField(name: name, value: try parseExpression()))
        while current.kind == .newline { _ = advance() }
        if current.text == "," { _ = advance() } else { break }
        while current.kind == .newline { _ = advance() }
      }
      try expect("}")
      return .record(fields)
    case .end:
      throw ToyError(.incompleteInput, "unexpected end of input", at: token.position)
    default:
      throw ToyError(.syntax, "unexpected '\(token.text)'", at: token.position)
    }
  }
}
