/// The kinds of tokens of hm (docs/language.md, "Lexical structure").
public enum TokenKind: Equatable, Sendable {
  case int(Int)
  case float(Double)
  /// A string literal: literal text and interpolated expressions (`"a {x} b"`), in order.
  case string([StringPiece])
  case identifier(String)
  case keyword(Keyword)
  case symbol(Symbol)
  case newline
  case eof
  /// A token the lexer could not read; the message says why.
  case error(String)
}

/// One piece of a string literal: text, or the source span of an interpolated expression.
public enum StringPiece: Equatable, Sendable {
  case text(String)
  case interpolation(Span)
}

public enum Keyword: String, CaseIterable, Sendable {
  case `let`, `var`, `fn`, `if`, `else`, `while`, `for`, `in`, `break`, `continue`, `return`
  case `true`, `false`, `nil`, and, or, not, `import`, `as`, `try`, `catch`
}

public enum Symbol: String, CaseIterable, Sendable {
  case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
  case comma = ",", dot = ".", colon = ":", semicolon = ";", question = "?"
  case plus = "+", minus = "-", star = "*", slash = "/", slashSlash = "//", percent = "%"
  case starStar = "**", at = "@"
  case ampersand = "&", pipe = "|", caret = "^", tilde = "~", lessLess = "<<", greaterGreater = ">>"
  case equal = "=", equalEqual = "==", bangEqual = "!=", less = "<", lessEqual = "<="
  case greater = ">", greaterEqual = ">="
  case plusEqual = "+=", minusEqual = "-=", starEqual = "*=", slashEqual = "/="
  case slashSlashEqual = "//=", percentEqual = "%=", starStarEqual = "**=", atEqual = "@="
  case ampersandEqual = "&=", pipeEqual = "|=", caretEqual = "^=", lessLessEqual = "<<=", greaterGreaterEqual = ">>="
  case dotDot = "..", dotDotEqual = "..=", arrow = "=>"
}

public struct Token: Equatable, Sendable {
  public var kind: TokenKind
  public var span: Span
  /// True when a newline or the start of input precedes this token.
  public var atLineStart: Bool
}
