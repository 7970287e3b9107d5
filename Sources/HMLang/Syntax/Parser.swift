/// Recursive-descent parser with Pratt expressions. It reports every syntax error it can find
/// in one pass: after an error it skips to the next statement boundary and suppresses errors
/// until then, so one mistake does not cascade. An error at the end of input is an
/// `incompleteInput` diagnostic, which the REPL turns into a continuation line.
public struct Parser {
  /// Deeper nesting is an error rather than a native stack overflow.
  public static let maximumNesting = 200

  let source: Source
  private var tokens: [Token]
  private var p = 0
  private var diagnostics: [Diagnostic] = []
  private var panicking = false
  private var depth = 0

  public init(source: Source, range: Range<Int>? = nil) {
    self.source = source
    var lexer = Lexer(source: source, range: range)
    self.tokens = lexer.tokenize()
  }

  /// program := statement* EOF
  public static func parse(_ source: Source) -> (program: [Stmt], diagnostics: [Diagnostic]) {
    var parser = Parser(source: source)
    let program = parser.parseProgram()
    return (program, parser.diagnostics)
  }

  mutating func parseProgram() -> [Stmt] {
    var statements: [Stmt] = []
    skipSeparators()
    while !atEnd {
      let before = p
      if let s = statement() { statements.append(s) }
      if !atEnd && !expectSeparator() { synchronize() }
      // A stray closer at the top level: skip it (it was reported once).
      while isSymbol(.rparen) || isSymbol(.rbracket) || isSymbol(.rbrace) {
        if !panicking && diagnostics.isEmpty { report("unexpected \(describe(current)) with nothing to close", at: current.span) }
        p += 1
      }
      panicking = false
      skipSeparators()
      if p == before { p += 1 }  // guarantee progress
    }
    return statements
  }

  // MARK: Tokens

  private var current: Token { tokens[min(p, tokens.count - 1)] }
  private var atEnd: Bool { if case .eof = current.kind { return true }; return false }
  private func isSymbol(_ s: Symbol) -> Bool { if case .symbol(s) = current.kind { return true }; return false }
  private func isKeyword(_ k: Keyword) -> Bool { if case .keyword(k) = current.kind { return true }; return false }
  private var isNewline: Bool { if case .newline = current.kind { return true }; return false }
  private func peekKind(_ k: Int) -> TokenKind { tokens[min(p + k, tokens.count - 1)].kind }

  private mutating func advance() -> Token { let t = current; if p < tokens.count - 1 { p += 1 }; return t }

  @discardableResult
  private mutating func match(_ s: Symbol) -> Bool { if isSymbol(s) { p += 1; return true }; return false }
  @discardableResult
  private mutating func match(_ k: Keyword) -> Bool { if isKeyword(k) { p += 1; return true }; return false }

  private mutating func skipNewlines() { while isNewline { p += 1 } }
  private mutating func skipSeparators() { while isNewline || isSymbol(.semicolon) { p += 1 } }

  private mutating func expect(_ s: Symbol, _ what: String) -> Bool {
    if match(s) { return true }
    error(expected: "'\(s.rawValue)' \(what)")
    return false
  }

  private mutating func expectSeparator() -> Bool {
    if isNewline || isSymbol(.semicolon) || isSymbol(.rbrace) || atEnd { return true }
    error(expected: "a new line or ';' after the statement")
    return false
  }

  private func describe(_ t: Token) -> String {
    switch t.kind {
    case .int(let v): return "number \(v)"
    case .float(let v): return "number \(v)"
    case .string: return "a string"
    case .identifier(let n): return "name '\(n)'"
    case .keyword(let k): return "keyword '\(k.rawValue)'"
    case .symbol(let s): return "'\(s.rawValue)'"
    case .newline: return "end of line"
    case .eof: return "end of input"
    case .error(let m): return m
    }
  }

  // MARK: Errors

  private mutating func error(expected: String) {
    if case .error(let message) = current.kind { report(message, at: current.span); return }
    report("expected \(expected), found \(describe(current))", at: current.span)
  }

  private mutating func report(_ message: String, at span: Span) {
    guard !panicking else { return }
    panicking = true
    // The same place reported again after recovery is a cascade, not news.
    if let last = diagnostics.last, last.span.start == span.start { return }
    var kind: Diagnostic.Kind = atEnd ? .incompleteInput : .syntax
    if case .error(let m) = current.kind, m.hasPrefix("unterminated string (missing") { kind = .incompleteInput }
    diagnostics.append(Diagnostic(kind, message, source: source, span: span))
  }

  /// Skips to the start of the next statement at this nesting level.
  private mutating func synchronize() {
    var level = 0
    while !atEnd {
      if level == 0 && (isNewline || isSymbol(.semicolon)) { break }
      if isSymbol(.lbrace) || isSymbol(.lparen) || isSymbol(.lbracket) { level += 1 }
      if isSymbol(.rbrace) || isSymbol(.rparen) || isSymbol(.rbracket) {
        if level == 0 { break }
        level -= 1
      }
      p += 1
    }
    panicking = false
  }

  private mutating func enter() -> Bool {
    depth += 1
    if depth > Parser.maximumNesting {
      report("nesting too deep (more than \(Parser.maximumNesting) levels)", at: current.span)
      return false
    }
    return true
  }

  // MARK: Statements

  /// statement := let | var | fn NAME | while | for | break | continue | return | import
  ///            | expression (('=' | '+=' | '-=' | '*=' | '/=') expression)?
  mutating func statement() -> Stmt? {
    let start = current.span
    if case .error(let message) = current.kind { report(message, at: current.span); return nil }
    if match(.let) { return binding(isConstant: true, start: start) }
    if match(.var) { return binding(isConstant: false, start: start) }
    if isKeyword(.fn), case .identifier = peekKind(1) {
      p += 1
      guard let decl = functionRest(start: start, named: true) else { return nil }
      return Stmt(kind: .function(decl), span: start.to(decl.span))
    }
    if match(.while) {
      guard let cond = expression(noBraceLiteral: true), let body = block() else { return nil }
      return Stmt(kind: .whileLoop(cond, body.statements), span: start.to(body.span))
    }
    if match(.for) {
      var names: [String] = []
      repeat {
        guard case .identifier(let n) = current.kind else { error(expected: "a loop variable name"); return nil }
        p += 1
        names.append(n)
      } while match(.comma)
      guard match(.in) else { error(expected: "'in' after the loop variable"); return nil }
      guard let iterable = expression(noBraceLiteral: true), let body = block() else { return nil }
      return Stmt(kind: .forLoop(names, iterable, body.statements), span: start.to(body.span))
    }
    if match(.break) { return Stmt(kind: .breakLoop, span: start) }
    if match(.continue) { return Stmt(kind: .continueLoop, span: start) }
    if match(.return) {
      if isNewline || isSymbol(.semicolon) || isSymbol(.rbrace) || atEnd {
        return Stmt(kind: .returnValue(nil), span: start)
      }
      guard let value = expression() else { return nil }
      return Stmt(kind: .returnValue(value), span: start.to(value.span))
    }
    if match(.import) {
      guard case .string(let pieces) = current.kind, pieces.count <= 1 else {
        error(expected: "a module name in quotes after 'import', as in import \"stats\""); return nil
      }
      var path = ""
      if case .text(let t)? = pieces.first { path = t }
      var end = advance().span
      var alias: String?
      if match(.as) {
        guard case .identifier(let n) = current.kind else { error(expected: "a name after 'as'"); return nil }
        alias = n; end = advance().span
      }
      return Stmt(kind: .importModule(path: path, alias: alias), span: start.to(end))
    }
    guard let expr = expression() else { return nil }
    let ops: [(Symbol, BinaryOperator?)] = [
      (.equal, nil), (.plusEqual, .add), (.minusEqual, .subtract), (.starEqual, .multiply),
      (.slashEqual, .divide), (.slashSlashEqual, .floorDivide), (.percentEqual, .modulo),
      (.starStarEqual, .power), (.atEqual, .matmul), (.ampersandEqual, .bitAnd), (.pipeEqual, .bitOr),
      (.caretEqual, .bitXor), (.lessLessEqual, .shiftLeft), (.greaterGreaterEqual, .shiftRight)]
    for (symbol, op) in ops where isSymbol(symbol) {
      let opSpan = advance().span
      guard expr.isAssignable else {
        report("cannot assign to this expression (only names, fields and indexed elements)", at: expr.span)
        return nil
      }
      skipNewlines()
      guard let value = expression() else { return nil }
      _ = opSpan
      return Stmt(kind: .assign(target: expr, op: op, value: value), span: expr.span.to(value.span))
    }
    return Stmt(kind: .expression(expr), span: expr.span)
  }

  /// binding := ('let' | 'var') NAME (',' NAME)* '=' expression
  private mutating func binding(isConstant: Bool, start: Span) -> Stmt? {
    var names: [String] = []
    repeat {
      guard case .identifier(let n) = current.kind else {
        error(expected: "a name after '\(isConstant ? "let" : "var")'"); return nil
      }
      names.append(n); p += 1
    } while match(.comma)
    guard match(.equal) else {
      error(expected: "'=' and a value (every binding is initialised)"); return nil
    }
    skipNewlines()
    guard let value = expression() else { return nil }
    return Stmt(kind: .binding(names: names, isConstant: isConstant, value: value), span: start.to(value.span))
  }

  /// function := 'fn' NAME? '(' (param (',' param)*)? ')' (block | '=>' expression)
  /// param := NAME ('=' expression)?
  private mutating func functionRest(start: Span, named: Bool) -> FunctionDecl? {
    var name: String?
    if named, case .identifier(let n) = current.kind { name = n; p += 1 }
    guard expect(.lparen, "to open the parameter list") else { return nil }
    var params: [Parameter] = []
    var seen = Set<String>()
    while !isSymbol(.rparen) {
      guard case .identifier(let n) = current.kind else { error(expected: "a parameter name"); return nil }
      let span = advance().span
      if seen.contains(n) { report("duplicate parameter '\(n)'", at: span); return nil }
      seen.insert(n)
      var defaultValue: Expr?
      if match(.equal) {
        guard let d = expression() else { return nil }
        defaultValue = d
      } else if params.contains(where: { $0.defaultValue != nil }) {
        report("parameter '\(n)' needs a default value: it follows a parameter that has one", at: span)
        return nil
      }
      params.append(Parameter(name: n, defaultValue: defaultValue, span: span))
      if !match(.comma) { break }
    }
    guard expect(.rparen, "to close the parameter list") else { return nil }
    if match(.arrow) {
      guard let e = expression() else { return nil }
      return FunctionDecl(name: name, parameters: params,
                          body: [Stmt(kind: .returnValue(e), span: e.span)], span: start.to(e.span))
    }
    guard let body = block() else { return nil }
    return FunctionDecl(name: name, parameters: params, body: body.statements, span: start.to(body.span))
  }

  /// block := '{' statement* '}'
  private mutating func block() -> (statements: [Stmt], span: Span)? {
    let start = current.span
    guard isSymbol(.lbrace) else { error(expected: "'{' to start a block"); return nil }
    p += 1
    guard enter() else { return nil }
    defer { depth -= 1 }
    var statements: [Stmt] = []
    skipSeparators()
    while !isSymbol(.rbrace) && !atEnd {
      let before = p
      if let s = statement() { statements.append(s) }
      if !expectSeparator() { synchronize() }
      skipSeparators()
      if p == before { p += 1 }
    }
    let end = current.span
    guard match(.rbrace) else { error(expected: "'}' to close the block"); return nil }
    return (statements, start.to(end))
  }

  // MARK: Expressions

  /// Binding powers, loosest first.
  private enum Precedence: Int, Comparable {
    case none, or, and, not, comparison, range, bitOr, bitXor, bitAnd, shift, term, factor, unary, power, postfix
    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
  }

  private var noBraceLiteral = false

  /// expression := or-expression (Pratt loop over the binary operators below)
  /// `noBraceLiteral` is set in `if`/`while`/`for` heads, where `{` starts the body.
  mutating func expression(noBraceLiteral: Bool = false) -> Expr? {
    let saved = self.noBraceLiteral
    self.noBraceLiteral = noBraceLiteral
    defer { self.noBraceLiteral = saved }
    return parse(.or)
  }

  private func infix(_ t: Token) -> (Precedence, BinaryOperator?)? {
    switch t.kind {
    case .keyword(.or): return (.or, nil)
    case .keyword(.and): return (.and, nil)
    case .keyword(.in): return (.comparison, .contains)
    case .symbol(let s):
      switch s {
      case .equalEqual: return (.comparison, .equal)
      case .bangEqual: return (.comparison, .notEqual)
      case .less: return (.comparison, .less)
      case .lessEqual: return (.comparison, .lessEqual)
      case .greater: return (.comparison, .greater)
      case .greaterEqual: return (.comparison, .greaterEqual)
      case .dotDot, .dotDotEqual: return (.range, nil)
      case .plus: return (.term, .add)
      case .minus: return (.term, .subtract)
      case .star: return (.factor, .multiply)
      case .slash: return (.factor, .divide)
      case .slashSlash: return (.factor, .floorDivide)
      case .percent: return (.factor, .modulo)
      case .at: return (.factor, .matmul)
      case .starStar: return (.power, .power)
      case .pipe: return (.bitOr, .bitOr)
      case .caret: return (.bitXor, .bitXor)
      case .ampersand: return (.bitAnd, .bitAnd)
      case .lessLess: return (.shift, .shiftLeft)
      case .greaterGreater: return (.shift, .shiftRight)
      default: return nil
      }
    default: return nil
    }
  }

  private mutating func parse(_ minimum: Precedence) -> Expr? {
    guard enter() else { return nil }
    defer { depth -= 1 }
    guard var left = prefix(minimum) else { return nil }
    while true {
      // A line starting with '.' continues the expression above (method chains).
      if isNewline, case .symbol(.dot) = peekKind(1) { p += 1 }
      guard let (prec, op) = infix(current), prec >= minimum else { break }
      let opToken = advance()
      skipNewlines()
      // `**` is right-associative; comparisons do not chain.
      let next: Precedence = prec == .power ? .unary
        : Precedence(rawValue: prec.rawValue + 1) ?? .postfix
      guard let right = parse(next) else { return nil }
      let span = left.span.to(right.span)
      switch opToken.kind {
      case .keyword(.or): left = Expr(kind: .or(left, right), span: span)
      case .keyword(.and): left = Expr(kind: .and(left, right), span: span)
      case .symbol(.dotDot): left = Expr(kind: .range(left, right, inclusive: false), span: span)
      case .symbol(.dotDotEqual): left = Expr(kind: .range(left, right, inclusive: true), span: span)
      default:
        if let op { left = Expr(kind: .binary(op, left, right), span: span) }
      }
      if prec == .comparison, let (p2, _) = infix(current), p2 == .comparison {
        report("comparisons do not chain: write 'a < b and b < c'", at: current.span)
        return nil
      }
    }
    return left
  }

  private mutating func prefix(_ minimum: Precedence) -> Expr? {
    let start = current.span
    if match(.not) {
      guard let operand = parse(.not) else { return nil }
      return Expr(kind: .unary(.not, operand), span: start.to(operand.span))
    }
    if match(.minus) {
      guard let operand = parse(.unary) else { return nil }
      if case .int(let v) = operand.kind, operand.span.start == start.end { return Expr(kind: .int(-v), span: start.to(operand.span)) }
      if case .float(let v) = operand.kind { return Expr(kind: .float(-v), span: start.to(operand.span)) }
      return Expr(kind: .unary(.negate, operand), span: start.to(operand.span))
    }
    if match(.tilde) {
      guard let operand = parse(.unary) else { return nil }
      return Expr(kind: .unary(.bitNot, operand), span: start.to(operand.span))
    }
    guard let primary = primary() else { return nil }
    return postfix(primary)
  }

  /// postfix := primary ( '(' arguments ')' | '[' indices ']' | '.' NAME )*
  private mutating func postfix(_ base: Expr) -> Expr? {
    var e = base
    while true {
      // `.` at the start of the next line continues a method chain.
      if isNewline, case .symbol(.dot) = peekKind(1) { p += 1 }
      if isSymbol(.lparen) && !current.atLineStart {
        p += 1
        var args: [Argument] = []
        var sawLabel = false
        while !isSymbol(.rparen) {
          let argStart = current.span
          var label: String?
          if case .identifier(let n) = current.kind, case .symbol(.colon) = peekKind(1) {
            label = n; p += 2; sawLabel = true
          } else if sawLabel {
            report("positional arguments must come before named ones", at: current.span); return nil
          }
          guard let value = expression() else { return nil }
          if let label, args.contains(where: { $0.label == label }) {
            report("argument '\(label)' given twice", at: argStart); return nil
          }
          args.append(Argument(label: label, value: value, span: argStart.to(value.span)))
          if !match(.comma) { break }
        }
        let end = current.span
        guard expect(.rparen, "to close the argument list") else { return nil }
        e = Expr(kind: .call(e, args), span: e.span.to(end))
      } else if isSymbol(.lbracket) && !current.atLineStart {
        p += 1
        var items: [IndexItem] = []
        while !isSymbol(.rbracket) {
          guard let item = indexItem() else { return nil }
          items.append(item)
          if !match(.comma) { break }
        }
        let end = current.span
        guard expect(.rbracket, "to close the index") else { return nil }
        if items.isEmpty { report("expected an index inside '[]'", at: end); return nil }
        e = Expr(kind: .index(e, items), span: e.span.to(end))
      } else if isSymbol(.dot) {
        p += 1
        guard case .identifier(let name) = current.kind else {
          if case .keyword(let k) = current.kind { let t = advance(); e = Expr(kind: .field(e, k.rawValue), span: e.span.to(t.span)); continue }
          error(expected: "a field or method name after '.'"); return nil
        }
        let t = advance()
        e = Expr(kind: .field(e, name), span: e.span.to(t.span))
      } else {
        return e
      }
    }
  }

  /// index := expression | expression? ':' expression? (':' expression?)?
  private mutating func indexItem() -> IndexItem? {
    var lower: Expr?
    if !isSymbol(.colon) {
      guard let e = expression() else { return nil }
      if !isSymbol(.colon) { return .single(e) }
      lower = e
    }
    p += 1  // ':'
    var upper: Expr?, step: Expr?
    if !isSymbol(.colon) && !isSymbol(.comma) && !isSymbol(.rbracket) {
      guard let e = expression() else { return nil }
      upper = e
    }
    if match(.colon), !isSymbol(.comma) && !isSymbol(.rbracket) {
      guard let e = expression() else { return nil }
      step = e
    }
    return .slice(lower, upper, step)
  }

  /// primary := literal | NAME | '(' expression ')' | list | map | block | if | try | fn
  private mutating func primary() -> Expr? {
    let t = current
    switch t.kind {
    case .int(let v): p += 1; return Expr(kind: .int(v), span: t.span)
    case .float(let v): p += 1; return Expr(kind: .float(v), span: t.span)
    case .string(let pieces):
      p += 1
      var parts: [InterpolationPiece] = []
      for piece in pieces {
        switch piece {
        case .text(let s): parts.append(.text(s))
        case .interpolation(let span):
          var sub = Parser(source: source, range: span.start..<span.end)
          sub.depth = depth
          guard let e = sub.expression() else {
            diagnostics.append(contentsOf: sub.diagnostics.isEmpty
              ? [Diagnostic(.syntax, "empty interpolation '{}' (write \\{ for a literal brace)", source: source, span: span)]
              : sub.diagnostics)
            panicking = true
            return nil
          }
          // `{expr:spec}`: the text after a top-level ':' is a format spec (parsed here, so a
          // bad one is a syntax error where it is written).
          if !sub.atEnd, case .symbol(.colon) = sub.current.kind {
            let specSpan = Span(sub.current.span.end, span.end)
            do {
              let spec = try FormatSpec(parsing: source.text(of: specSpan))
              diagnostics.append(contentsOf: sub.diagnostics)
              parts.append(.formatted(e, spec))
            } catch {
              report(error.message, at: specSpan); return nil
            }
            continue
          }
          if !sub.atEnd {
            report("unexpected \(sub.describe(sub.current)) in interpolation", at: sub.current.span); return nil
          }
          diagnostics.append(contentsOf: sub.diagnostics)
          parts.append(.expr(e))
        }
      }
      return Expr(kind: .string(parts), span: t.span)
    case .identifier(let n): p += 1; return Expr(kind: .name(n), span: t.span)
    case .keyword(.true): p += 1; return Expr(kind: .bool(true), span: t.span)
    case .keyword(.false): p += 1; return Expr(kind: .bool(false), span: t.span)
    case .keyword(.nil): p += 1; return Expr(kind: .nilLiteral, span: t.span)
    case .keyword(.fn):
      p += 1
      guard let decl = functionRest(start: t.span, named: false) else { return nil }
      return Expr(kind: .function(decl), span: decl.span)
    case .keyword(.if): return ifExpression()
    case .keyword(.try): return tryExpression()
    case .symbol(.lparen):
      p += 1
      skipNewlines()
      let saved = noBraceLiteral; noBraceLiteral = false
      defer { noBraceLiteral = saved }
      guard let e = parse(.or) else { return nil }
      skipNewlines()
      guard expect(.rparen, "to close '('") else { return nil }
      return Expr(kind: e.kind, span: e.span)
    case .symbol(.lbracket):
      p += 1
      var items: [Expr] = []
      skipNewlines()
      while !isSymbol(.rbracket) {
        guard let e = expression() else { return nil }
        items.append(e)
        skipNewlines()
        if !match(.comma) { break }
        skipNewlines()
      }
      let end = current.span
      guard expect(.rbracket, "to close the list") else { return nil }
      return Expr(kind: .list(items), span: t.span.to(end))
    case .symbol(.lbrace):
      if !noBraceLiteral && looksLikeMap() { return mapLiteral() }
      guard let b = block() else { return nil }
      return Expr(kind: .block(b.statements), span: b.span)
    case .error(let message):
      report(message, at: t.span); return nil
    default:
      error(expected: "an expression"); return nil
    }
  }

  /// A `{` starts a map when followed by `}` or by `key:` (a name, string or number, then ':'),
  /// or by `[expr]:`; otherwise it starts a block.
  private func looksLikeMap() -> Bool {
    var k = 1
    while case .newline = peekKind(k) { k += 1 }
    switch peekKind(k) {
    case .symbol(.rbrace): return true
    case .identifier, .string, .int, .float, .keyword:
      if case .symbol(.colon) = peekKind(k + 1) { return true }
      return false
    case .symbol(.lbracket):
      // `{[` is a computed key only if a matching `]` is followed by ':'.
      var level = 0, j = k
      while true {
        switch peekKind(j) {
        case .symbol(.lbracket): level += 1
        case .symbol(.rbracket): level -= 1; if level == 0 { if case .symbol(.colon) = peekKind(j + 1) { return true }; return false }
        case .eof: return false
        default: break
        }
        j += 1
      }
    default: return false
    }
  }

  /// map := '{' (key ':' expression (',' key ':' expression)* ','?)? '}'
  /// key := NAME | STRING | NUMBER | '[' expression ']'
  private mutating func mapLiteral() -> Expr? {
    let start = advance().span
    var entries: [MapEntry] = []
    skipNewlines()
    while !isSymbol(.rbrace) {
      let key: MapEntry.Key
      switch current.kind {
      case .identifier(let n): key = .name(n); p += 1
      case .keyword(let k): key = .name(k.rawValue); p += 1
      case .string, .int, .float:
        guard let e = primary() else { return nil }
        key = .expr(e)
      case .symbol(.lbracket):
        p += 1
        guard let e = expression() else { return nil }
        guard expect(.rbracket, "after the computed key") else { return nil }
        key = .expr(e)
      default:
        error(expected: "a key (a name, a string, a number or [expression])"); return nil
      }
      guard expect(.colon, "after the key") else { return nil }
      skipNewlines()
      guard let value = expression() else { return nil }
      entries.append(MapEntry(key: key, value: value))
      skipNewlines()
      if !match(.comma) { break }
      skipNewlines()
    }
    let end = current.span
    guard expect(.rbrace, "to close the map") else { return nil }
    return Expr(kind: .map(entries), span: start.to(end))
  }

  /// if := 'if' expression block ('else' (if | block))?
  private mutating func ifExpression() -> Expr? {
    let start = advance().span
    guard let cond = expression(noBraceLiteral: true), let then = block() else { return nil }
    let thenExpr = Expr(kind: .block(then.statements), span: then.span)
    // `else` may follow on the next line.
    var k = 0
    while case .newline = peekKind(k) { k += 1 }
    if case .keyword(.else) = peekKind(k) {
      p += k + 1
      if isKeyword(.if) {
        guard let elseIf = ifExpression() else { return nil }
        return Expr(kind: .ifElse(cond, thenExpr, elseIf), span: start.to(elseIf.span))
      }
      guard let otherwise = block() else { return nil }
      return Expr(kind: .ifElse(cond, thenExpr, Expr(kind: .block(otherwise.statements), span: otherwise.span)),
                  span: start.to(otherwise.span))
    }
    return Expr(kind: .ifElse(cond, thenExpr, nil), span: start.to(then.span))
  }

  /// try := 'try' block 'catch' NAME? block
  private mutating func tryExpression() -> Expr? {
    let start = advance().span
    guard let body = block() else { return nil }
    // `catch` may follow on the next line.
    var k = 0
    while case .newline = peekKind(k) { k += 1 }
    guard case .keyword(.catch) = peekKind(k) else {
      p += k
      error(expected: "'catch' after the 'try' block"); return nil
    }
    p += k + 1
    var name: String?
    if case .identifier(let n) = current.kind { name = n; p += 1 }
    guard let handler = block() else { return nil }
    return Expr(kind: .tryCatch(body: Expr(kind: .block(body.statements), span: body.span), name: name,
                                handler: Expr(kind: .block(handler.statements), span: handler.span)),
                span: start.to(handler.span))
  }
}
