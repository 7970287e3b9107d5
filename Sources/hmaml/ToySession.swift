import Foundation

/// A tiny stand-in language so the front end can be driven end to end before HMRuntime's
/// `Interpreter` is wired in. Selected only by `HMAML_TOY_SESSION=1`; the integrator deletes it.
///
/// Its syntax is a subset of hm's, so the pty tests need few changes against the real language:
/// `let x = 1`, `var`, assignment, `fn f(a) {`…`}` over several lines, `while true {}`, integers
/// with `+ - * / //`, strings, `true`/`false`/`nil`, lists `[1, 2]`, records `{alpha: 1}` with
/// `.field`, calls, `print`, `len`, `type`, `args()`, `seed()`. Unbalanced brackets are incomplete
/// input; `ans` holds the last echoed value; a trailing `;` hides it.
final class ToySession: LanguageSession {
  private var globals: [String: ToyValue] = [:]
  private var globalOrder: [String] = []
  private var scriptArguments: [String] = []
  private var seed: UInt64 = 0
  private let interruptLock = NSLock()
  private var interruptRequested = false
  /// Call depth of the running evaluation; beyond `maximumDepth` it is a `stack overflow`.
  private var depth = 0
  private static let maximumDepth = 500

  static let keywords = ["let", "var", "fn", "while", "true", "false", "nil", "return"]
  static let builtins: [String: String] = [
    "print": "print(value)\n\nWrites value to standard output, strings without quotes.\n\nExample: print(\"hello\")",
    "len": "len(value)\n\nThe number of elements of a list or characters of a string.\n\nExample: len([1, 2]) == 2",
    "type": "type(value)\n\nThe name of the value's type.\n\nExample: type(1) == \"Int\"",
    "args": "args()\n\nThe script's arguments (hmaml FILE ARGS…) as a list of strings.",
    "seed": "seed()\n\nThe seed given with --seed (0 by default).",
  ]

  func evaluate(_ source: String, sourceName: String, mode: EvaluationMode,
                display: DisplayOptions) -> EvaluationOutcome {
    interruptLock.lock(); interruptRequested = false; interruptLock.unlock()
    depth = 0
    do {
      var parser = try ToyParser(source: source)
      let statements = try parser.parseProgram()
      var last: ToyValue = .nil
      var lastIsEcho = false
      for statement in statements {
        (last, lastIsEcho) = try execute(statement)
      }
      guard mode == .interactive, lastIsEcho, last != .nil else { return .value(display: nil) }
      define("ans", last)
      if source.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(";") {
        return .value(display: nil)
      }
      return .value(display: last.description)
    } catch let error as ToyError {
      switch error.kind {
      case .incompleteInput:
        if mode == .interactive { return .incomplete }
        return .syntaxError(rendered: error.render(source: source, sourceName: sourceName))
      case .syntax: return .syntaxError(rendered: error.render(source: source, sourceName: sourceName))
      case .runtime: return .runtimeError(rendered: error.render(source: source, sourceName: sourceName))
      case .interrupted: return .interrupted(rendered: error.render(source: source, sourceName: sourceName))
      }
    } catch {
      return .runtimeError(rendered: "error: \(error)")
    }
  }

  func check(_ source: String, sourceName: String, display: DisplayOptions) -> EvaluationOutcome {
    do {
      var parser = try ToyParser(source: source)
      _ = try parser.parseProgram()
      return .value(display: nil)
    } catch let error as ToyError {
      return .syntaxError(rendered: error.render(source: source, sourceName: sourceName))
    } catch {
      return .syntaxError(rendered: "error: \(error)")
    }
  }

  func completions(forLine line: String, cursor: Int) -> Completions {
    let bytes = Array(line.utf8.prefix(max(0, cursor)))
    var start = bytes.count
    while start > 0, ToyLexer.isIdentifierByte(bytes[start - 1]) { start -= 1 }
    let word = String(decoding: bytes[start...], as: UTF8.self)
    var pool: [String]
    if start > 0, bytes[start - 1] == UInt8(ascii: ".") {
      var receiverStart = start - 1
      while receiverStart > 0, ToyLexer.isIdentifierByte(bytes[receiverStart - 1]) { receiverStart -= 1 }
      let receiver = String(decoding: bytes[receiverStart..<(start - 1)], as: UTF8.self)
      guard case .record(let fields)? = globals[receiver] else { return .none }
      pool = fields.map(\.name)
    } else {
      pool = Self.keywords + Self.builtins.keys.sorted() + globalOrder
    }
    var seen = Set<String>()
    let candidates = pool.filter { $0.hasPrefix(word) && seen.insert($0).inserted }.sorted()
    return Completions(replaceFrom: start, candidates: candidates)
  }

  func help(for name: String, display: DisplayOptions) -> String? {
    if let doc = Self.builtins[name] { return doc }
    if let value = globals[name] { return "\(name): \(value.typeName) = \(value.description)" }
    return nil
  }

  func helpIndex(display: DisplayOptions) -> String {
    "Builtins (toy language): " + Self.builtins.keys.sorted().joined(separator: ", ")
  }

  func globalsSummary(display: DisplayOptions) -> [GlobalSummary] {
    globalOrder.compactMap { name in
      globals[name].map { GlobalSummary(name: name, summary: "\($0.typeName) = \($0.description)") }
    }
  }

  func reset() {
    globals = [:]
    globalOrder = []
  }

  func setScriptArguments(_ arguments: [String]) { scriptArguments = arguments }
  func setSeed(_ seed: UInt64) { self.seed = seed }

  func requestInterrupt() {
    interruptLock.lock(); interruptRequested = true; interruptLock.unlock()
  }

  // MARK: Evaluation

  private func define(_ name: String, _ value: ToyValue) {
    if globals.updateValue(value, forKey: name) == nil { globalOrder.append(name) }
  }

  private func pollInterrupt(at position: ToyPosition) throws {
    interruptLock.lock(); let requested = interruptRequested; interruptLock.unlock()
    if requested { throw ToyError(.interrupted, "interrupted", at: position) }
  }

  /// Runs one statement; returns its value and whether it is an expression to echo.
  private func execute(_ statement: ToyStatement, locals: inout [String: ToyValue]) throws -> (ToyValue, Bool) {
    switch statement {
    case .define(let name, let value, _):
      let result = try evaluate(value, locals: &locals)
      if locals.isEmpty && !inFunction { define(name, result) } else { locals[name] = result }
      return (.nil, false)
    case .assign(let name, let value, let position):
      let result = try evaluate(value, locals: &locals)
      if locals[name] != nil { locals[name] = result }
      else if globals[name] != nil { globals[name] = result }
      else { throw ToyError(.runtime, "assignment to undefined name '\(name)'", at: position) }
      return (.nil, false)
    case .function(let name, let parameters, let body, _):
      define(name, .function(name: name, parameters: parameters, body: body))
      return (.nil, false)
    case .while(let condition, let body, let position):
      while true {
        try pollInterrupt(at: position)
        guard try evaluate(condition, locals: &locals).isTruthy else { break }
        for inner in body { _ = try execute(inner, locals: &locals) }
      }
      return (.nil, false)
    case .expression(let expression):
      return (try evaluate(expression, locals: &locals), true)
    }
  }

  private var inFunction: Bool { depth > 0 }

  private func execute(_ statement: ToyStatement) throws -> (ToyValue, Bool) {
    var locals: [String: ToyValue] = [:]
    return try execute(statement, locals: &locals)
  }

  private func evaluate(_ expression: ToyExpression, locals: inout [String: ToyValue]) throws -> ToyValue {
    switch expression {
    case .literal(let value): return value
    case .name(let name, let position):
      if let value = locals[name] ?? globals[name] { return value }
      if Self.builtins[name] != nil { return .builtin(name) }
      throw ToyError(.runtime, "undefined name '\(name)'", at: position)
    case .list(let elements):
      return .list(try elements.map { try evaluate($0, locals: &locals) })
    case .record(let fields):
      return .record(try fields.map { ToyField(name: $0.name, value: try evaluate($0.value, locals: &locals)) })
    case .member(let receiver, let name, let position):
      let value = try evaluate(receiver, locals: &locals)
      guard case .record(let fields) = value, let field = fields.first(where: { $0.name == name }) else {
        throw ToyError(.runtime, "\(value.typeName) has no member '\(name)'", at: position)
      }
      return field.value
    case .negate(let operand, let position):
      guard case .int(let value) = try evaluate(operand, locals: &locals) else {
        throw ToyError(.runtime, "'-' needs an Int", at: position)
      }
      let (result, overflow) = Int(0).subtractingReportingOverflow(value)
      if overflow { throw ToyError(.runtime, "integer overflow", at: position) }
      return .int(result)
    case .binary(let op, let left, let right, let position):
      return try binary(op, try evaluate(left, locals: &locals), try evaluate(right, locals: &locals), at: position)
    case .call(let callee, let arguments, let position):
      try pollInterrupt(at: position)
      let function = try evaluate(callee, locals: &locals)
      let values = try arguments.map { try evaluate($0, locals: &locals) }
      return try call(function, values, at: position)
    }
  }

  private func binary(_ op: String, _ left: ToyValue, _ right: ToyValue, at position: ToyPosition) throws -> ToyValue {
    switch (op, left, right) {
    case ("==", _, _): return .bool(left == right)
    case ("+", .string(let a), .string(let b)): return .string(a + b)
    case (_, .int(let a), .int(let b)):
      let result: (partialValue: Int, overflow: Bool)
      switch op {
      case "+": result = a.addingReportingOverflow(b)
      case "-": result = a.subtractingReportingOverflow(b)
      case "*": result = a.multipliedReportingOverflow(by: b)
      case "/", "//":
        if b == 0 { throw ToyError(.runtime, "division by zero", at: position) }
        result = a.dividedReportingOverflow(by: b)
      case "<": return .bool(a < b)
      case ">": return .bool(a > b)
      default: throw ToyError(.runtime, "unknown operator '\(op)'", at: position)
      }
      if result.overflow { throw ToyError(.runtime, "integer overflow", at: position) }
      return .int(result.partialValue)
    default:
      throw ToyError(.runtime, "'\(op)' cannot combine \(left.typeName) and \(right.typeName)", at: position)
    }
  }

  private func call(_ function: ToyValue, _ arguments: [ToyValue], at position: ToyPosition) throws -> ToyValue {
    switch function {
    case .builtin(let name):
      switch (name, arguments.count) {
      case ("print", 1):
        if case .string(let text) = arguments[0] { print(text) } else { print(arguments[0].description) }
        fflush(stdout)
        return .nil
      case ("len", 1):
        switch arguments[0] {
        case .list(let elements): return .int(elements.count)
        case .string(let text): return .int(text.count)
        default: throw ToyError(.runtime, "len: expected a list or string, got \(arguments[0].typeName)", at: position)
        }
      case ("type", 1): return .string(arguments[0].typeName)
      case ("args", 0): return .list(scriptArguments.map(ToyValue.string))
      case ("seed", 0): return .int(Int(truncatingIfNeeded: seed))
      default: throw ToyError(.runtime, "\(name): wrong number of arguments (\(arguments.count))", at: position)
      }
    case .function(let name, let parameters, let body):
      guard parameters.count == arguments.count else {
        throw ToyError(.runtime, "\(name): expected \(parameters.count) arguments, got \(arguments.count)", at: position)
      }
      if depth >= Self.maximumDepth { throw ToyError(.runtime, "stack overflow", at: position) }
      depth += 1
      defer { depth -= 1 }
      var locals = Dictionary(uniqueKeysWithValues: zip(parameters, arguments))
      locals["__frame"] = .nil  // a non-empty frame: `let` inside a function defines a local
      var result: ToyValue = .nil
      for statement in body { result = try execute(statement, locals: &locals).0 }
      return result
    default:
      throw ToyError(.runtime, "cannot call a value of type \(function.typeName)", at: position)
    }
  }
}

// MARK: Values

indirect enum ToyValue: Equatable, CustomStringConvertible {
  case `nil`
  case bool(Bool)
  case int(Int)
  case string(String)
  case list([ToyValue])
  case record([ToyField])
  case function(name: String, parameters: [String], body: [ToyStatement])
  case builtin(String)

  var typeName: String {
    switch self {
    case .nil: return "Nil"
    case .bool: return "Bool"
    case .int: return "Int"
    case .string: return "String"
    case .list: return "List"
    case .record: return "Record"
    case .function, .builtin: return "Function"
    }
  }

  var isTruthy: Bool {
    switch self {
    case .nil, .bool(false): return false
    default: return true
    }
  }

  var description: String {
    switch self {
    case .nil: return "nil"
    case .bool(let value): return String(value)
    case .int(let value): return String(value)
    case .string(let value): return "\"\(value)\""
    case .list(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
    case .record(let fields): return "{" + fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "}"
    case .function(let name, _, _): return "<fn \(name)>"
    case .builtin(let name): return "<builtin \(name)>"
    }
  }

  static func == (left: ToyValue, right: ToyValue) -> Bool {
    switch (left, right) {
    case (.nil, .nil): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.list(let a), .list(let b)): return a == b
    case (.record(let a), .record(let b)): return a == b
    case (.builtin(let a), .builtin(let b)): return a == b
    default: return false
    }
  }
}

struct ToyField: Equatable {
  var name: String
  var value: ToyValue
}

struct ToyExpressionField {
  var name: String
  var value: ToyExpression
}
