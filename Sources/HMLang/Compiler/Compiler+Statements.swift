extension Compiler {
  /// Compiles statements in order. The value of the last statement, when it is an expression,
  /// goes to `target` (nil otherwise). Compilation continues after an error so that one pass
  /// reports every compile error.
  func blockBody(_ statements: [Stmt], into target: Int?) throws {
    var failed = false
    var lastIsValue = false
    // Local functions are declared before the block's first statement, so that they may call
    // each other whatever their order (as module-level functions may).
    var hoisted: [Int: Int] = [:]  // statement index → register
    if !atModuleLevel {
      for (i, s) in statements.enumerated() {
        if case .function(let decl) = s.kind, let name = decl.name {
          let r = declareLocal(name, isConstant: true)
          emit(.loadNil, r)
          hoisted[i] = r
        }
      }
    }
    for (i, s) in statements.enumerated() {
      let mark = fs.freeRegister
      currentSpan = s.span
      do {
        if i == statements.count - 1, let target, case .expression(let e) = s.kind {
          try compile(e, into: target)
          lastIsValue = true
        } else if let r = hoisted[i], case .function(let decl) = s.kind {
          try function(decl, into: r)
        } else {
          try statement(s)
        }
      } catch { failed = true }
      fs.freeRegister = max(mark, (fs.locals.last?.register ?? -1) + 1)
    }
    if let target, !lastIsValue { emit(.loadNil, target) }
    if failed { throw Failure() }
  }

  var atModuleLevel: Bool { fs.isModuleLevel && fs.scopeDepth == 0 }

  func statement(_ s: Stmt) throws {
    currentSpan = s.span
    switch s.kind {
    case .expression(let e):
      let r = allocate()
      try compile(e, into: r)

    case .binding(let names, let isConstant, let value):
      if names.count == 1 {
        try bind(names[0], isConstant: isConstant, span: s.span) { r in try self.compile(value, into: r) }
      } else {
        let source = allocate()
        try compile(value, into: source)
        let first = fs.freeRegister
        _ = allocate(names.count)
        currentSpan = value.span
        emit(.unpack, first, source, names.count)
        for (i, n) in names.enumerated() {
          try bind(n, isConstant: isConstant, span: s.span) { r in if r != first + i { self.emit(.move, r, first + i) } }
        }
      }

    case .function(let decl):
      guard let name = decl.name else { return }
      if atModuleLevel {
        let r = allocate()
        try function(decl, into: r)
        defineGlobal(name, from: r, isConstant: false)
      } else {
        // Declared before its body so that it can call itself.
        let r = declareLocal(name, isConstant: true)
        try function(decl, into: r)
      }

    case .assign(let target, let op, let value):
      try assign(target, op: op, value: value, span: s.span)

    case .whileLoop(let condition, let body):
      let start = fs.code.count
      let exits = try conditionJumps(condition)
      try loopBody(body, firstRegister: fs.freeRegister) {}
      let loop = fs.loops.removeLast()
      for j in loop.continues { patch(j, to: start) }
      currentSpan = s.span
      emitJump(back: start)
      for j in exits + loop.breaks { patch(j) }

    case .forLoop(let names, let iterable, let body):
      let base = allocate(4)
      try compile(iterable, into: base)
      currentSpan = iterable.span
      let prepare = emit(.iterPrepare, base, bx: 0)
      let bodyStart = fs.code.count
      try loopBody(body, firstRegister: base + 3) {
        if names.count == 1 {
          _ = declareLocal(names[0], isConstant: false, register: base + 3)
        } else {
          let first = fs.freeRegister
          for n in names { _ = declareLocal(n, isConstant: false) }
          emit(.unpack, first, base + 3, names.count)
        }
      }
      let loop = fs.loops.removeLast()
      let next = fs.code.count
      for j in loop.continues { patch(j, to: next) }
      currentSpan = iterable.span
      emit(.iterNext, base, bx: bodyStart - next - 1)
      patch(prepare, to: next)
      for j in loop.breaks { patch(j) }

    case .breakLoop, .continueLoop:
      guard let loop = fs.loops.last else {
        throw fail("'\(s.kind.isBreak ? "break" : "continue")' outside a loop", at: s.span)
      }
      if fs.hasClosures { emit(.close, loop.firstRegister) }
      if fs.tryDepth > loop.tryDepth { emit(.tryEnd, fs.tryDepth - loop.tryDepth) }
      let j = emitJump()
      if s.kind.isBreak { fs.loops[fs.loops.count - 1].breaks.append(j) }
      else { fs.loops[fs.loops.count - 1].continues.append(j) }

    case .returnValue(let value):
      // The handlers of the `try` blocks being left go first (the value is computed inside them).
      guard let value else {
        if fs.tryDepth > 0 { emit(.tryEnd, fs.tryDepth) }
        emit(.returnNil, 0); return
      }
      let r = try anyRegister(value)
      if fs.tryDepth > 0 { emit(.tryEnd, fs.tryDepth) }
      emit(.returnValue, r)

    case .importModule(let path, let alias):
      let name = alias ?? Compiler.moduleBindingName(path)
      try bind(name, isConstant: true, span: s.span) { r in
        self.emit(.importModule, r, bx: try self.constant(path))
      }
    }
  }

  /// Body of a loop in its own scope; `declare` binds the loop variables first.
  func loopBody(_ body: [Stmt], firstRegister: Int, declare: () throws -> Void) throws {
    beginScope()
    fs.loops.append(Loop(firstRegister: firstRegister, scopeDepth: fs.scopeDepth, tryDepth: fs.tryDepth))
    try declare()
    var failed = false
    do { try blockBody(body, into: nil) } catch { failed = true }
    // `continue` lands here, before the scope closes captured loop variables.
    let continueTarget = fs.code.count
    for j in fs.loops[fs.loops.count - 1].continues { patch(j, to: continueTarget) }
    fs.loops[fs.loops.count - 1].continues = []
    endScope()
    if failed { throw Failure() }
  }

  /// Binds a new name: a module global at module level, otherwise a local register. The value is
  /// produced by `produce` into the register (before the name is visible: `let x = x + 1`).
  func bind(_ name: String, isConstant: Bool, span: Span, produce: (Int) throws -> Void) throws {
    if atModuleLevel {
      let r = allocate()
      try produce(r)
      currentSpan = span
      defineGlobal(name, from: r, isConstant: isConstant)
    } else {
      let r = allocate()
      try produce(r)
      _ = declareLocal(name, isConstant: isConstant, register: r)
    }
  }

  func defineGlobal(_ name: String, from r: Int, isConstant: Bool) {
    let slot = module.slot(for: name)
    if isConstant { module.constantSlots.insert(slot) } else { module.constantSlots.remove(slot) }
    emit(.setGlobal, r, bx: slot)
  }

  func assign(_ target: Expr, op: BinaryOperator?, value: Expr, span: Span) throws {
    let combined = op.map { Expr(kind: .binary($0, target, value), span: span) } ?? value
    switch target.kind {
    case .name(let name):
      switch try resolve(name, at: target.span) {
      case .local(let r, let isConstant):
        if isConstant { throw constantError(name, target.span) }
        if combined.isSimple {
          try compile(combined, into: r)
        } else {
          let t = allocate()
          try compile(combined, into: t)
          emit(.move, r, t)
        }
      case .upvalue(let i, let isConstant):
        if isConstant { throw constantError(name, target.span) }
        let t = allocate()
        try compile(combined, into: t)
        emit(.setUpvalue, t, i)
      case .global(let slot, let isConstant):
        if isConstant { throw constantError(name, target.span) }
        let t = allocate()
        try compile(combined, into: t)
        currentSpan = span
        emit(.setGlobal, t, bx: slot)
      }

    case .field(let object, let name):
      let o = try anyRegister(object)
      let k = try constant(name)
      let v = allocate()
      if let op {
        currentSpan = target.span
        emit(.getField, v, o, k)
        let rhs = try anyRegister(value)
        currentSpan = span
        emit(try arithmeticOpcode(op), v, v, rhs)
      } else {
        try compile(value, into: v)
      }
      currentSpan = span
      emit(.setField, o, k, v)

    case .index(let object, let items):
      if items.count == 1, case .single(let indexExpr) = items[0] {
        let o = try anyRegister(object)
        let i = try anyRegister(indexExpr)
        let v = allocate()
        if let op {
          currentSpan = target.span
          emit(.getIndex, v, o, i)
          let rhs = try anyRegister(value)
          currentSpan = span
          emit(try arithmeticOpcode(op), v, v, rhs)
        } else {
          try compile(value, into: v)
        }
        currentSpan = span
        emit(.setIndex, o, i, v)
      } else {
        let w = allocate(1 + items.count)
        try compile(object, into: w)
        for (j, item) in items.enumerated() { try indexItem(item, into: w + 1 + j) }
        let v = allocate()
        if let op {
          currentSpan = target.span
          emit(.getIndexN, v, w, items.count)
          let rhs = try anyRegister(value)
          currentSpan = span
          emit(try arithmeticOpcode(op), v, v, rhs)
        } else {
          try compile(value, into: v)
        }
        currentSpan = span
        emit(.setIndexN, w, items.count, v)
      }

    default:
      throw fail("cannot assign to this expression", at: target.span)
    }
  }

  func constantError(_ name: String, _ span: Span) -> Failure {
    fail("cannot assign to '\(name)': it is a constant", at: span,
         notes: ["declare it with 'var' instead of 'let' to make it assignable"])
  }
}

extension StmtKind {
  var isBreak: Bool { if case .breakLoop = self { return true }; return false }
}

extension Expr {
  /// Expressions that read all their operands before writing their result, so they may be
  /// compiled straight into the register of the variable being assigned.
  var isSimple: Bool {
    switch kind {
    case .nilLiteral, .bool, .int, .float, .name, .binary, .unary, .call, .list, .map, .field, .index, .string:
      return true
    default: return false
    }
  }
}
