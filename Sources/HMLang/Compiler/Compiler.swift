/// Compiles a syntax tree to register bytecode, one `FunctionProto` per function. Names resolve
/// at compile time: locals to registers, captured variables to upvalues, everything else to a
/// slot of the module's global table. Unknown names and assignments to constants are compile
/// errors, reported before anything runs.
final class Compiler {
  struct Local {
    var name: String
    var register: Int
    var depth: Int
    var isConstant: Bool
    var captured = false
  }

  struct Loop {
    var breaks: [Int] = []
    var continues: [Int] = []
    /// First register of the loop body's scope (closed on break/continue when closures exist).
    var firstRegister: Int
    var scopeDepth: Int
    /// `try` blocks open around the loop (break and continue leave the ones opened inside it).
    var tryDepth: Int
  }

  /// Per-function compilation state.
  final class FunctionState {
    let parent: FunctionState?
    let name: String
    let isModuleLevel: Bool
    var code: [UInt64] = []
    var spans: [Span] = []
    var constants: [Value] = []
    var constantIndex: [String: Int] = [:]
    var protos: [FunctionProto] = []
    var locals: [Local] = []
    var scopeDepth = 0
    var freeRegister = 0
    var maxRegisters = 1
    var upvalues: [(name: String, fromParentRegister: Bool, index: Int, isConstant: Bool)] = []
    var loops: [Loop] = []
    var formatSpecs: [FormatSpec] = []
    /// `try` blocks open at the current point of the function (each an error handler in the VM).
    var tryDepth = 0
    /// True when the function creates closures (then loops close upvalues on every exit).
    var hasClosures = false

    init(parent: FunctionState?, name: String, isModuleLevel: Bool) {
      self.parent = parent; self.name = name; self.isModuleLevel = isModuleLevel
    }
  }

  let vm: VM
  let module: Module
  let source: Source
  var fs: FunctionState
  var diagnostics: [Diagnostic] = []
  /// Names the unit declares at module level (usable before their definition, e.g. mutual recursion).
  var declaredGlobals: [String: Bool] = [:]  // name → isConstant
  var currentSpan = Span.none

  init(vm: VM, module: Module, source: Source) {
    self.vm = vm; self.module = module; self.source = source
    fs = FunctionState(parent: nil, name: "<main>", isModuleLevel: true)
  }

  struct Failure: Error {}

  /// Compiles a whole program (script, module or REPL entry). The returned function, when run,
  /// yields the value of the last expression statement (the REPL echoes it).
  static func compile(_ program: [Stmt], source: Source, module: Module, vm: VM) -> Result<FunctionProto, Diagnostics> {
    let c = Compiler(vm: vm, module: module, source: source)
    for s in program {
      switch s.kind {
      case .binding(let names, let isConstant, _): for n in names { c.declaredGlobals[n] = isConstant }
      case .function(let d): if let n = d.name { c.declaredGlobals[n] = false }
      case .importModule(let path, let alias): c.declaredGlobals[alias ?? Compiler.moduleBindingName(path)] = true
      default: break
      }
    }
    c.fs.hasClosures = containsFunction(program)
    do {
      let result = c.allocate()
      try c.blockBody(program, into: result)
      c.emit(.returnValue, result)
    } catch {}
    if !c.diagnostics.isEmpty { return .failure(Diagnostics(c.diagnostics)) }
    let proto = c.finish(c.fs, parameters: [], required: 0)
    module.protos.append(proto)
    return .success(proto)
  }

  static func moduleBindingName(_ path: String) -> String {
    var name = path.split(separator: "/").last.map(String.init) ?? path
    if name.hasSuffix(".hm") { name.removeLast(3) }
    return name.replacingOccurrences("-", "_")
  }

  static func containsFunction(_ statements: [Stmt]) -> Bool {
    var found = false
    func visit(_ e: Expr) {
      if found { return }
      switch e.kind {
      case .function: found = true
      case .list(let xs): xs.forEach(visit)
      case .map(let es): for en in es { if case .expr(let k) = en.key { visit(k) }; visit(en.value) }
      case .unary(_, let x): visit(x)
      case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b), .range(let a, let b, _): visit(a); visit(b)
      case .call(let f, let args): visit(f); args.forEach { visit($0.value) }
      case .index(let x, let items):
        visit(x)
        for it in items {
          switch it {
          case .single(let e): visit(e)
          case .slice(let a, let b, let c): [a, b, c].compactMap { $0 }.forEach(visit)
          }
        }
      case .field(let x, _): visit(x)
      case .block(let ss): ss.forEach(visitStmt)
      case .ifElse(let c, let t, let e): visit(c); visit(t); if let e { visit(e) }
      case .tryCatch(let body, _, let handler): visit(body); visit(handler)
      case .string(let pieces):
        for p in pieces {
          switch p {
          case .expr(let x), .formatted(let x, _): visit(x)
          case .text: break
          }
        }
      default: break
      }
    }
    func visitStmt(_ s: Stmt) {
      switch s.kind {
      case .expression(let e), .binding(_, _, let e): visit(e)
      case .function: found = true
      case .assign(let t, _, let v): visit(t); visit(v)
      case .whileLoop(let c, let b): visit(c); b.forEach(visitStmt)
      case .forLoop(_, let it, let b): visit(it); b.forEach(visitStmt)
      case .returnValue(let e): if let e { visit(e) }
      default: break
      }
    }
    statements.forEach(visitStmt)
    return found
  }

  func finish(_ f: FunctionState, parameters: [String], required: Int) -> FunctionProto {
    FunctionProto(name: f.name, parameterNames: parameters, requiredCount: required,
                  maxRegisters: f.maxRegisters, code: f.code, constants: f.constants, protos: f.protos,
                  upvalues: f.upvalues.map { ($0.fromParentRegister, $0.index) }, spans: f.spans,
                  formatSpecs: f.formatSpecs,
                  source: source, module: module)
  }

  // MARK: Emission

  @discardableResult
  func emit(_ op: Opcode, _ a: Int, _ b: Int = 0, _ c: Int = 0) -> Int {
    fs.code.append(Instruction.make(op, a, b, c)); fs.spans.append(currentSpan)
    return fs.code.count - 1
  }

  @discardableResult
  func emit(_ op: Opcode, _ a: Int, bx: Int) -> Int {
    fs.code.append(Instruction.make(op, a, bx: bx)); fs.spans.append(currentSpan)
    return fs.code.count - 1
  }

  /// Emits a forward jump to be patched; returns its index.
  func emitJump(_ op: Opcode = .jump, _ a: Int = 0) -> Int { emit(op, a, bx: 0) }

  /// Points the jump at `index` to the next instruction to be emitted.
  func patch(_ index: Int) { patch(index, to: fs.code.count) }
  func patch(_ index: Int, to target: Int) {
    fs.code[index] = Instruction.withBx(fs.code[index], target - index - 1)
  }
  func emitJump(back target: Int) { emit(.jump, 0, bx: target - fs.code.count - 1) }

  func fail(_ message: String, at span: Span, notes: [String] = []) -> Failure {
    diagnostics.append(Diagnostic(.compile, message, source: source, span: span, notes: notes))
    return Failure()
  }

  func constant(_ v: Value, key: String) throws -> Int {
    if let i = fs.constantIndex[key] { return i }
    guard fs.constants.count < 65_535 else { throw fail("function too large (more than 65535 constants)", at: currentSpan) }
    fs.constants.append(v)
    fs.constantIndex[key] = fs.constants.count - 1
    return fs.constants.count - 1
  }
  func constant(_ s: String) throws -> Int { try constant(vm.heap.intern(s), key: "s:" + s) }
  func constant(_ i: Int) throws -> Int { try constant(Value(i), key: "i:\(i)") }
  func constant(_ d: Double) throws -> Int { try constant(Value(d), key: "f:\(d.bitPattern)") }
  func constantList(_ names: [String]) throws -> Int {
    let list = vm.heap.makeList(names.map { vm.heap.intern($0) })
    return try constant(list, key: "l:" + names.joined(separator: ","))
  }

  // MARK: Registers and scopes

  func allocate(_ n: Int = 1) -> Int {
    let r = fs.freeRegister
    fs.freeRegister += n
    if fs.freeRegister > fs.maxRegisters { fs.maxRegisters = fs.freeRegister }
    return r
  }

  func beginScope() { fs.scopeDepth += 1 }

  func endScope() {
    let depth = fs.scopeDepth
    fs.scopeDepth -= 1
    var first: Int?
    var captured = false
    while let last = fs.locals.last, last.depth >= depth {
      first = last.register
      if last.captured { captured = true }
      fs.locals.removeLast()
    }
    if captured, let first { emit(.close, first) }
  }

  func declareLocal(_ name: String, isConstant: Bool, register: Int? = nil) -> Int {
    let r = register ?? allocate()
    fs.locals.append(Local(name: name, register: r, depth: fs.scopeDepth, isConstant: isConstant))
    return r
  }

  func resolveLocal(_ f: FunctionState, _ name: String) -> Int? {
    for i in stride(from: f.locals.count - 1, through: 0, by: -1) where f.locals[i].name == name { return i }
    return nil
  }

  func resolveUpvalue(_ f: FunctionState, _ name: String) -> Int? {
    guard let parent = f.parent else { return nil }
    if let li = resolveLocal(parent, name) {
      parent.locals[li].captured = true
      return addUpvalue(f, name, true, parent.locals[li].register, parent.locals[li].isConstant)
    }
    if let ui = resolveUpvalue(parent, name) {
      return addUpvalue(f, name, false, ui, parent.upvalues[ui].isConstant)
    }
    return nil
  }

  func addUpvalue(_ f: FunctionState, _ name: String, _ fromRegister: Bool, _ index: Int, _ isConstant: Bool) -> Int {
    if let i = f.upvalues.firstIndex(where: { $0.fromParentRegister == fromRegister && $0.index == index }) { return i }
    f.upvalues.append((name, fromRegister, index, isConstant))
    return f.upvalues.count - 1
  }

  enum NameRef { case local(Int, isConstant: Bool), upvalue(Int, isConstant: Bool), global(Int, isConstant: Bool) }

  func resolve(_ name: String, at span: Span) throws -> NameRef {
    if let li = resolveLocal(fs, name) { return .local(fs.locals[li].register, isConstant: fs.locals[li].isConstant) }
    if let ui = resolveUpvalue(fs, name) { return .upvalue(ui, isConstant: fs.upvalues[ui].isConstant) }
    let known = declaredGlobals[name] != nil || module.isDefined(name)
    guard known else {
      var notes: [String] = []
      if let guess = suggestion(for: name) { notes.append("did you mean '\(guess)'?") }
      throw fail("unknown name '\(name)'", at: span, notes: notes)
    }
    let slot = module.slot(for: name)
    let isConstant = declaredGlobals[name] ?? module.constantSlots.contains(slot)
    return .global(slot, isConstant: isConstant)
  }

  /// The closest known name, by edit distance.
  func suggestion(for name: String) -> String? {
    var candidates = Set(module.visibleNames).union(declaredGlobals.keys)
    var f: FunctionState? = fs
    while let s = f { s.locals.forEach { candidates.insert($0.name) }; f = s.parent }
    var best: (String, Int)?
    for c in candidates {
      let d = editDistance(name, c)
      if d <= max(1, name.count / 3), d < (best?.1 ?? Int.max) { best = (c, d) }
    }
    return best?.0
  }
}

func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a), b = Array(b)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var prev = Array(0...b.count)
  for i in 1...a.count {
    var cur = [i] + Array(repeating: 0, count: b.count)
    for j in 1...b.count {
      cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.count]
}
