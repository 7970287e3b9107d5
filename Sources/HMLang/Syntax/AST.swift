/// The syntax tree the parser builds and the compiler consumes (docs/language.md, "Grammar").
public struct Expr: Sendable {
  public var kind: ExprKind
  public var span: Span
}

public indirect enum ExprKind: Sendable {
  case nilLiteral
  case bool(Bool)
  case int(Int)
  case float(Double)
  case string([InterpolationPiece])
  case name(String)
  case list([Expr])
  case map([MapEntry])
  case unary(UnaryOperator, Expr)
  case binary(BinaryOperator, Expr, Expr)
  case and(Expr, Expr)
  case or(Expr, Expr)
  case call(Expr, [Argument])
  case index(Expr, [IndexItem])
  case field(Expr, String)
  case function(FunctionDecl)
  case block([Stmt])
  case ifElse(Expr, Expr, Expr?)
  /// `try body catch name handler`: the handler's value when the body raises an error.
  case tryCatch(body: Expr, name: String?, handler: Expr)
  case range(Expr, Expr, inclusive: Bool)
}

/// A piece of a string literal: text, `{expr}`, or `{expr:spec}` (formatted by `spec`).
public enum InterpolationPiece: Sendable { case text(String), expr(Expr), formatted(Expr, FormatSpec) }

public struct MapEntry: Sendable {
  public enum Key: Sendable { case name(String), expr(Expr) }
  public var key: Key
  public var value: Expr
}

public struct Argument: Sendable {
  public var label: String?
  public var value: Expr
  public var span: Span
}

public enum IndexItem: Sendable {
  case single(Expr)
  case slice(Expr?, Expr?, Expr?)
}

public enum UnaryOperator: String, Sendable { case negate = "-", not = "not", bitNot = "~" }

public enum BinaryOperator: String, Sendable {
  case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//"
  case modulo = "%", power = "**", matmul = "@"
  case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
  case contains = "in"
  case bitAnd = "&", bitOr = "|", bitXor = "^", shiftLeft = "<<", shiftRight = ">>"
}

public struct Parameter: Sendable {
  public var name: String
  public var defaultValue: Expr?
  public var span: Span
}

public struct FunctionDecl: Sendable {
  public var name: String?
  public var parameters: [Parameter]
  public var body: [Stmt]
  public var span: Span
}

public struct Stmt: Sendable {
  public var kind: StmtKind
  public var span: Span
}

public indirect enum StmtKind: Sendable {
  case expression(Expr)
  case binding(names: [String], isConstant: Bool, value: Expr)
  case function(FunctionDecl)
  case assign(target: Expr, op: BinaryOperator?, value: Expr)
  case whileLoop(Expr, [Stmt])
  case forLoop([String], Expr, [Stmt])
  case breakLoop
  case continueLoop
  case returnValue(Expr?)
  case importModule(path: String, alias: String?)
}

extension Expr {
  /// True for expressions that may be assigned to.
  var isAssignable: Bool {
    switch kind {
    case .name, .field, .index: return true
    default: return false
    }
  }
}
