/// A compiled function: bytecode, constants, nested functions and debug information.
/// Code and constants live in memory allocated once, so the VM reads them through raw pointers.
public final class FunctionProto {
  public let name: String
  public let parameterNames: [String]
  /// Parameters without a default value; they come first.
  public let requiredCount: Int
  public let parameterCount: Int
  public let maxRegisters: Int
  public let code: UnsafeMutablePointer<UInt64>
  public let codeCount: Int
  public let constants: UnsafeMutablePointer<Value>
  public let constantCount: Int
  public let protos: [FunctionProto]
  /// For each upvalue: captured from the enclosing function's register (`true`) or upvalue.
  public let upvalues: [(fromParentRegister: Bool, index: Int)]
  /// Source span of every instruction (for errors and traces).
  public let spans: [Span]
  /// The format specs of `{expr:spec}` interpolations (`formatValue`'s C operand indexes them).
  let formatSpecs: [FormatSpec]
  public let source: Source
  /// Modules outlive their functions (the VM keeps every module), so no reference count here.
  public unowned(unsafe) let module: Module
  var markEpoch = 0

  init(name: String, parameterNames: [String], requiredCount: Int, maxRegisters: Int,
       code: [UInt64], constants: [Value], protos: [FunctionProto],
       upvalues: [(Bool, Int)], spans: [Span], formatSpecs: [FormatSpec], source: Source, module: Module) {
    self.name = name; self.parameterNames = parameterNames; self.requiredCount = requiredCount
    self.parameterCount = parameterNames.count
    self.maxRegisters = maxRegisters
    self.code = .allocate(capacity: max(code.count, 1))
    self.code.initialize(from: code, count: code.count)
    self.codeCount = code.count
    self.constants = .allocate(capacity: max(constants.count, 1))
    self.constants.initialize(from: constants, count: constants.count)
    self.constantCount = constants.count
    self.protos = protos
    self.upvalues = upvalues.map { (fromParentRegister: $0.0, index: $0.1) }
    self.spans = spans; self.formatSpecs = formatSpecs; self.source = source; self.module = module
  }

  deinit {
    code.deallocate()
    constants.deallocate()
  }
}

/// A captured variable: open while its frame runs (it points at a register), closed after.
public final class UpvalueObject: HeapObject {
  /// Register index in the VM stack while open; -1 when closed.
  var slot: Int
  var closed: Value = .nil
  init(slot: Int) { self.slot = slot }
  override func trace(_ heap: Heap) { if slot < 0 { heap.mark(closed) } }
}

/// A function value: a prototype plus its captured variables.
public final class ClosureObject: HeapObject {
  /// Unretained: prototypes live as long as their module (held by the VM), so calls pay no ARC.
  let protoRef: Unmanaged<FunctionProto>
  /// Unretained: upvalues are heap objects, alive while this closure is (it marks them), so
  /// reading a captured variable pays no ARC (it was three quarters of such a loop).
  let upvalues: [Unmanaged<UpvalueObject>]
  public var proto: FunctionProto { protoRef.takeUnretainedValue() }
  init(proto: FunctionProto, upvalues: [Unmanaged<UpvalueObject>]) {
    self.protoRef = Unmanaged.passUnretained(proto); self.upvalues = upvalues
  }
  override func trace(_ heap: Heap) {
    heap.markProto(proto)
    for u in upvalues { u._withUnsafeGuaranteedRef { heap.markObject($0) } }
  }
}

/// A module: one global namespace with slots resolved at compile time.
public final class Module {
  public let name: String
  /// The folder imports are searched from first (the script's folder), if any.
  public var directory: String?
  var globals: UnsafeMutablePointer<Value>
  var capacity: Int
  public private(set) var names: [String: Int] = [:]
  public private(set) var slotNames: [String] = []
  /// Slots bound with `let` (constants) once defined.
  var constantSlots = Set<Int>()
  /// Functions compiled for this module keep it alive through their prototypes' `unowned` link.
  var protos: [FunctionProto] = []
  /// The VM's builtins, bound into this module's slots on first reference (as constants:
  /// rebind them with `let`).
  let builtins: BuiltinTable

  init(name: String, directory: String?, builtins: BuiltinTable) {
    self.name = name; self.directory = directory; self.builtins = builtins
    capacity = 64
    globals = .allocate(capacity: capacity)
    globals.initialize(repeating: .absent, count: capacity)
  }
  deinit { globals.deallocate() }

  /// The slot of a global, created when new: unset, or bound to the builtin of that name.
  func slot(for name: String) -> Int {
    if let s = names[name] { return s }
    let s = newSlot(name)
    if let builtin = builtins[name] {
      globals[s] = builtin
      constantSlots.insert(s)
    }
    return s
  }

  private func newSlot(_ name: String) -> Int {
    let s = slotNames.count
    if s == capacity {
      let bigger = UnsafeMutablePointer<Value>.allocate(capacity: capacity * 2)
      bigger.initialize(from: globals, count: capacity)
      (bigger + capacity).initialize(repeating: .absent, count: capacity)
      globals.deallocate()
      globals = bigger
      capacity *= 2
    }
    names[name] = s
    slotNames.append(name)
    return s
  }

  public func value(of name: String) -> Value? {
    guard let s = names[name] else { return builtins[name] }
    return globals[s].isAbsent ? nil : globals[s]
  }

  func isDefined(_ name: String) -> Bool { value(of: name) != nil }

  /// Globals with a slot here — this module's definitions and the builtins its code names —
  /// in the order their slots were made.
  public var definedNames: [String] { slotNames.filter { isDefined($0) } }

  /// Every name code here can use: `definedNames` and the builtins not referred to yet.
  public var visibleNames: [String] { definedNames + builtins.names.filter { names[$0] == nil } }

  public func define(_ name: String, _ value: Value) {
    // The slot first: creating it may reallocate `globals`.
    let s = slot(for: name)
    globals[s] = value
  }

  func reset(keeping: Set<String>) {
    for (name, s) in names where !keeping.contains(name) { globals[s] = .absent; constantSlots.remove(s) }
  }
}
