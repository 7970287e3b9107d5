extension Compiler {
  /// A register holding the value of `e`: a local's own register when `e` names one (no move),
  /// otherwise a new temporary.
  func anyRegister(_ e: Expr) throws -> Int {
    if case .name(let n) = e.kind, let li = resolveLocal(fs, n) { return fs.locals[li].register }
    let r = allocate()
    try compile(e, into: r)
    return r
  }

  func compile(_ e: Expr, into t: Int) throws {
    let saved = currentSpan
    currentSpan = e.span
    defer { currentSpan = saved }
    let mark = fs.freeRegister
    defer { fs.freeRegister = mark }
    switch e.kind {
    case .nilLiteral: emit(.loadNil, t)
    case .bool(let b): emit(b ? .loadTrue : .loadFalse, t)
    case .int(let i):
      if i >= Int(Int32.min) && i <= Int(Int32.max) { emit(.loadInt, t, bx: i) }
      else { emit(.loadConstant, t, bx: try constant(i)) }
    case .float(let d): emit(.loadConstant, t, bx: try constant(d))

    case .string(let pieces):
      if pieces.isEmpty { emit(.loadConstant, t, bx: try constant("")); return }
      if pieces.count == 1, case .text(let s) = pieces[0] { emit(.loadConstant, t, bx: try constant(s)); return }
      let w = allocate(pieces.count)
      for (i, piece) in pieces.enumerated() {
        switch piece {
        case .text(let s): emit(.loadConstant, w + i, bx: try constant(s))
        case .expr(let x): try compile(x, into: w + i)
        case .formatted(let x, let spec):
          try compile(x, into: w + i)
          guard fs.formatSpecs.count < 65_535 else { throw fail("too many formatted interpolations in one function", at: e.span) }
          fs.formatSpecs.append(spec)
          currentSpan = x.span
          emit(.formatValue, w + i, w + i, fs.formatSpecs.count - 1)
        }
      }
      currentSpan = e.span
      emit(.concat, t, w, pieces.count)

    case .name(let n):
      switch try resolve(n, at: e.span) {
      case .local(let r, _): if r != t { emit(.move, t, r) }
      case .upvalue(let i, _): emit(.getUpvalue, t, i)
      case .global(let slot, _): emit(.getGlobal, t, bx: slot)
      }

    case .list(let items):
      guard items.count < 65_535 else { throw fail("list literal too long (split it)", at: e.span) }
      let w = allocate(items.count)
      for (i, item) in items.enumerated() { try compile(item, into: w + i) }
      currentSpan = e.span
      emit(.newList, t, w, items.count)

    case .map(let entries):
      guard entries.count < 30_000 else { throw fail("record literal too long", at: e.span) }
      let w = allocate(entries.count * 2)
      for (i, entry) in entries.enumerated() {
        switch entry.key {
        case .name(let n): emit(.loadConstant, w + 2 * i, bx: try constant(n))
        case .expr(let k): try compile(k, into: w + 2 * i)
        }
        try compile(entry.value, into: w + 2 * i + 1)
      }
      currentSpan = e.span
      emit(.newMap, t, w, entries.count)

    case .unary(let op, let operand):
      let r = try anyRegister(operand)
      currentSpan = e.span
      emit(op == .negate ? .negate : op == .not ? .not : .bitNot, t, r)

    case .binary(let op, let lhs, let rhs):
      try binary(op, lhs, rhs, into: t, span: e.span)

    case .and(let lhs, let rhs), .or(let lhs, let rhs):
      let isAnd: Bool
      if case .and = e.kind { isAnd = true } else { isAnd = false }
      try compile(lhs, into: t)
      emit(.test, t, 0, isAnd ? 1 : 0)
      let j = emitJump()
      try compile(rhs, into: t)
      patch(j)

    case .call(let callee, let args):
      try call(callee, args, into: t, span: e.span)

    case .index(let object, let items):
      if items.count == 1 {
        let o = try anyRegister(object)
        let i = allocate()
        try indexItem(items[0], into: i)
        currentSpan = e.span
        emit(.getIndex, t, o, i)
      } else {
        let w = allocate(1 + items.count)
        try compile(object, into: w)
        for (j, item) in items.enumerated() { try indexItem(item, into: w + 1 + j) }
        currentSpan = e.span
        emit(.getIndexN, t, w, items.count)
      }

    case .field(let object, let name):
      let o = try anyRegister(object)
      currentSpan = e.span
      emit(.getField, t, o, try constant(name))

    case .function(let decl):
      try function(decl, into: t)

    case .block(let statements):
      beginScope()
      var failed = false
      do { try blockBody(statements, into: t) } catch { failed = true }
      endScope()
      if failed { throw Failure() }

    case .tryCatch(let body, let name, let handler):
      // R(e) receives the error record; everything the body allocates lies above it, so the VM
      // closes the body's captured locals from there when it unwinds to the handler.
      let e = allocate()
      let begin = emit(.tryBegin, e, bx: 0)
      fs.tryDepth += 1
      var failed = false
      do { try compile(body, into: t) } catch { failed = true }
      fs.tryDepth -= 1
      emit(.tryEnd, 1)
      let end = emitJump()
      patch(begin)
      beginScope()
      if let name { _ = declareLocal(name, isConstant: true, register: e) }
      do { try compile(handler, into: t) } catch { failed = true }
      endScope()
      patch(end)
      if failed { throw Failure() }

    case .ifElse(let condition, let then, let otherwise):
      let exits = try conditionJumps(condition)
      try compile(then, into: t)
      let end = emitJump()
      for j in exits { patch(j) }
      if let otherwise { try compile(otherwise, into: t) } else { emit(.loadNil, t) }
      patch(end)

    case .range(let lower, let upper, let inclusive):
      let b = try anyRegister(lower), c = try anyRegister(upper)
      currentSpan = e.span
      emit(inclusive ? .makeRangeInclusive : .makeRange, t, b, c)
    }
  }

  func indexItem(_ item: IndexItem, into r: Int) throws {
    switch item {
    case .single(let x): try compile(x, into: r)
    case .slice(let a, let b, let c):
      let w = allocate(3)
      for (i, part) in [a, b, c].enumerated() {
        if let part { try compile(part, into: w + i) } else { emit(.loadNil, w + i) }
      }
      emit(.newSlice, r, w)
    }
  }

  func arithmeticOpcode(_ op: BinaryOperator) throws -> Opcode {
    switch op {
    case .add: return .add
    case .subtract: return .subtract
    case .multiply: return .multiply
    case .divide: return .divide
    case .floorDivide: return .floorDivide
    case .modulo: return .modulo
    case .power: return .power
    case .matmul: return .matmul
    case .bitAnd: return .bitAnd
    case .bitOr: return .bitOr
    case .bitXor: return .bitXor
    case .shiftLeft: return .shiftLeft
    case .shiftRight: return .shiftRight
    case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .contains:
      throw fail("'\(op.rawValue)' is not an arithmetic operator", at: currentSpan)
    }
  }

  func binary(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, into t: Int, span: Span) throws {
    switch op {
    case .add, .subtract, .multiply, .divide, .floorDivide, .modulo:
      let b = try anyRegister(lhs)
      if let k = try numericConstant(rhs) {
        let kop: Opcode
        switch op {
        case .add: kop = .addConstant
        case .subtract: kop = .subtractConstant
        case .multiply: kop = .multiplyConstant
        case .divide: kop = .divideConstant
        case .floorDivide: kop = .floorDivideConstant
        default: kop = .moduloConstant
        }
        currentSpan = span
        emit(kop, t, b, k)
        return
      }
      let c = try anyRegister(rhs)
      currentSpan = span
      emit(try arithmeticOpcode(op), t, b, c)
    case .power, .matmul, .bitAnd, .bitOr, .bitXor, .shiftLeft, .shiftRight:
      let b = try anyRegister(lhs), c = try anyRegister(rhs)
      currentSpan = span
      emit(try arithmeticOpcode(op), t, b, c)
    case .equal, .notEqual, .less, .lessEqual, .contains:
      let b = try anyRegister(lhs), c = try anyRegister(rhs)
      currentSpan = span
      let code: Opcode = op == .equal ? .equal : op == .notEqual ? .notEqual : op == .less ? .less
        : op == .lessEqual ? .lessEqual : .contains
      emit(code, t, b, c)
    case .greater, .greaterEqual:
      let b = try anyRegister(lhs), c = try anyRegister(rhs)
      currentSpan = span
      emit(op == .greater ? .less : .lessEqual, t, c, b)
    }
  }

  /// The constant index of a numeric literal operand, if it is one.
  func numericConstant(_ e: Expr) throws -> Int? {
    switch e.kind {
    case .int(let i): return try constant(i)
    case .float(let d): return try constant(d)
    default: return nil
    }
  }

  /// Emits a test of `condition` that falls through when it is true; returns the jumps taken
  /// when it is false (to be patched to the false branch).
  func conditionJumps(_ condition: Expr) throws -> [Int] {
    let saved = currentSpan
    currentSpan = condition.span
    defer { currentSpan = saved }
    let mark = fs.freeRegister
    defer { fs.freeRegister = mark }
    switch condition.kind {
    case .bool(true): return []
    case .and(let a, let b): return try conditionJumps(a) + conditionJumps(b)
    case .unary(.not, let x):
      let r = try anyRegister(x)
      currentSpan = condition.span
      emit(.test, r, 0, 0)
      return [emitJump()]
    case .binary(let op, let lhs, let rhs) where [.less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual].contains(op):
      let a = try anyRegister(lhs)
      if [.less, .lessEqual, .greater, .greaterEqual].contains(op), let k = try numericConstant(rhs) {
        let code: Opcode = op == .less ? .testLessConstant : op == .lessEqual ? .testLessEqualConstant
          : op == .greater ? .testGreaterConstant : .testGreaterEqualConstant
        currentSpan = condition.span
        emit(code, a, k)
        return [emitJump()]
      }
      let b = try anyRegister(rhs)
      currentSpan = condition.span
      switch op {
      case .less: emit(.testLess, a, b, 1)
      case .lessEqual: emit(.testLessEqual, a, b, 1)
      case .greater: emit(.testLess, b, a, 1)
      case .greaterEqual: emit(.testLessEqual, b, a, 1)
      case .equal: emit(.testEqual, a, b, 1)
      default: emit(.testEqual, a, b, 0)
      }
      return [emitJump()]
    default:
      let r = try anyRegister(condition)
      currentSpan = condition.span
      emit(.test, r, 0, 1)
      return [emitJump()]
    }
  }

  func call(_ callee: Expr, _ args: [Argument], into t: Int, span: Span) throws {
    guard args.count < 250 else { throw fail("too many arguments (at most 250)", at: span) }
    let named = args.compactMap(\.label)
    let w = allocate(1 + args.count)
    if case .field(let object, let method) = callee.kind {
      try compile(object, into: w)
      for (i, a) in args.enumerated() { try compile(a.value, into: w + 1 + i) }
      currentSpan = span
      if named.isEmpty { emit(.invoke, w, args.count, try constant(method)) }
      else { emit(.invokeNamed, w, args.count, try constantList([method] + named)) }
    } else {
      try compile(callee, into: w)
      for (i, a) in args.enumerated() { try compile(a.value, into: w + 1 + i) }
      currentSpan = span
      if named.isEmpty { emit(.call, w, args.count) }
      else { emit(.callNamed, w, args.count, try constantList(named)) }
    }
    if t != w { emit(.move, t, w) }
  }

  /// Compiles a function literal or declaration into a closure in register `t`.
  func function(_ decl: FunctionDecl, into t: Int) throws {
    let child = FunctionState(parent: fs, name: decl.name ?? "<fn>", isModuleLevel: false)
    child.hasClosures = Compiler.containsFunction(decl.body)
    let parent = fs
    fs = child
    var failed = false
    for p in decl.parameters { _ = declareLocal(p.name, isConstant: false) }
    for (i, p) in decl.parameters.enumerated() {
      guard let d = p.defaultValue else { continue }
      currentSpan = p.span
      let skip = emitJump(.jumpIfPresent, i)
      do { try compile(d, into: i) } catch { failed = true }
      patch(skip)
    }
    let result = allocate()
    do { try blockBody(decl.body, into: result) } catch { failed = true }
    currentSpan = Span(decl.span.end - 1, decl.span.end)
    emit(.returnValue, result)
    fs = parent
    if failed { throw Failure() }
    let proto = finish(child, parameters: decl.parameters.map(\.name),
                       required: decl.parameters.filter { $0.defaultValue == nil }.count)
    fs.protos.append(proto)
    currentSpan = decl.span
    emit(.closure, t, bx: fs.protos.count - 1)
  }
}
