#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A call frame: which closure runs, where its registers start, where it resumes.
struct Frame {
  var closure: Unmanaged<ClosureObject>
  var proto: Unmanaged<FunctionProto>
  /// Index of the next instruction (saved when this frame calls out or raises).
  var pc: Int
  /// Stack index of register 0.
  var base: Int
}

/// An active `try` block: where its frame resumes when an error reaches it.
struct Handler {
  /// Index of the frame that runs the `try`.
  var frame: Int
  /// First instruction of the `catch` block.
  var pc: Int
  /// Frame-relative register that receives the error record; the `try` body's registers lie above.
  var register: Int
}

/// The virtual machine: a register stack, call frames, modules and the method tables the runtime
/// fills. One VM is one isolated interpreter state; nothing is global but the Ctrl-C flag.
public final class VM {
  /// Most nested hm calls; more is a `stack overflow` error, never a crash.
  public static let maximumCallDepth = 100_000
  /// Most nested native → hm → native re-entries (each uses native stack).
  public static let maximumNativeDepth = 180

  public let heap = Heap()
  let stack: UnsafeMutablePointer<Value>
  let stackCapacity: Int
  private let stackIsMapped: Bool
  let frames: UnsafeMutablePointer<Frame>
  var frameCount = 0
  /// Open upvalues, sorted by stack slot (ascending).
  var openUpvalues: [UpvalueObject] = []
  /// Active `try` blocks, innermost last. Invariant: a frame's handlers are popped before it
  /// returns (the compiler emits `tryEnd` on every exit from a `try` body), so every handler
  /// belongs to a live frame.
  var handlers: [Handler] = []
  var nativeDepth = 0
  /// Values natives hold across calls back into hm (see `withRoots`).
  var extraRoots: [Value] = []
  /// The flag this VM polls: the process-wide Ctrl-C flag by default; an embedder running
  /// several interpreters on threads may give each its own.
  public var interruptFlag = Interrupt.flag

  /// State the embedding runtime attaches (its random generator, script arguments, …).
  public var context: AnyObject?
  /// Where `print` writes. Embedders capture output by replacing it.
  /// (C stdio: line-buffered on a terminal, block-buffered in a pipe, flushed at exit.)
  public var output: (String) -> Void = { s in
    var s = s
    s.withUTF8 { b in _ = fwrite(b.baseAddress, 1, b.count, stdout) }
  }

  /// Globals every module starts with (natives and the prelude).
  let builtins = BuiltinTable()
  /// Methods of built-in kinds, by tag, then name.
  var methods = MethodTables()
  /// Methods and properties of native object types, by type name, then name.
  var objectMethods: [String: [String: NativeFunction]] = [:]
  var objectProperties: [String: [String: NativeFunction]] = [:]
  /// Resolved methods of built-in kinds by (kind, interned name); cleared when methods change.
  /// Entries are unretained: the functions live in `methods`.
  static let methodCacheSize = 256
  let methodCache: UnsafeMutablePointer<MethodCacheEntry> = {
    let p = UnsafeMutablePointer<MethodCacheEntry>.allocate(capacity: VM.methodCacheSize)
    p.initialize(repeating: MethodCacheEntry(), count: VM.methodCacheSize)
    return p
  }()
  /// Whether `methodCache` holds any entry (installing ~300 methods at start-up reset it each time).
  var methodCacheInUse = false
  /// Nesting depth of `withCollectionPaused`.
  var collectionPauses = 0
  /// Operators, indexing and iteration on native objects (tensors…), provided by the runtime.
  public var objectHooks = ObjectHooks()

  /// Every module (main, REPL, imported), for garbage-collection roots.
  var modules: [Module] = []
  /// Imported modules by resolved path → their export record.
  var importCache: [String: Value] = [:]
  var importsInProgress: [String] = []
  /// Source of bundled stdlib modules by name (`prelude`, …), provided by the runtime.
  public var bundledModule: (String) -> String? = { _ in nil }
  /// Folders searched after the importing script's folder (HMAML_PATH).
  public var searchPath: [String] = []

  public init(stackSlots: Int = 1 << 22) {
    stackCapacity = stackSlots
    // mmap: pages are zeroed lazily by the OS, and all-zero bits are a valid value (`absent`),
    // so start-up does not touch the stack (calloc may memset it, depending on malloc tuning).
    let bytes = stackSlots * MemoryLayout<Value>.stride
    let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
    if let mapped, mapped != MAP_FAILED {
      stack = mapped.bindMemory(to: Value.self, capacity: stackSlots)
      stackIsMapped = true
    } else {
      stack = UnsafeMutablePointer<Value>.allocate(capacity: stackSlots)
      stack.initialize(repeating: .absent, count: stackSlots)
      stackIsMapped = false
    }
    frames = .allocate(capacity: VM.maximumCallDepth + 1)
  }

  deinit {
    methodCache.deallocate()
    if stackIsMapped { munmap(stack, stackCapacity * MemoryLayout<Value>.stride) } else { stack.deallocate() }
    frames.deallocate()
  }

  // MARK: Modules and builtins

  /// A new module that sees the builtins (as constants: rebind them with `let`).
  public func makeModule(name: String, directory: String?) -> Module {
    let m = Module(name: name, directory: directory, builtins: builtins)
    modules.append(m)
    return m
  }

  /// Adds a global visible in every module created afterwards, and in existing ones (where it
  /// replaces a global of the same name).
  public func defineBuiltin(_ name: String, _ value: Value) {
    builtins.define(name, value)
    for m in modules {
      guard let s = m.names[name] else { continue }
      m.globals[s] = value
      m.constantSlots.insert(s)
    }
  }

  /// Promises builtins `names` that `load` defines (with `defineBuiltin`) when code first names
  /// one of them; `load` returns false when it failed, to be run again at the next use.
  public func defineBuiltinsLater(_ names: [String], load: @escaping () -> Bool) {
    builtins.defineLater(names, by: load)
  }

  public func isBuiltin(_ name: String) -> Bool { builtins.contains(name) }

  /// Registers a method of a built-in kind (`list`, `string`, `record`, `range`, `int`, `float`).
  public func defineMethod(_ f: NativeFunction, on kind: Value.Tag) {
    methods[kind][f.name] = f
    if methodCacheInUse {
      methodCache.update(repeating: MethodCacheEntry(), count: VM.methodCacheSize)
      methodCacheInUse = false
    }
    _ = heap.makeNative(f)
  }
  public func defineMethod(_ f: NativeFunction, onObjectType type: String) {
    objectMethods[type, default: [:]][f.name] = f
    _ = heap.makeNative(f)
  }
  /// A read-only property of a native object type, computed by a native taking only the receiver.
  public func defineProperty(_ f: NativeFunction, onObjectType type: String) {
    objectProperties[type, default: [:]][f.name] = f
    _ = heap.makeNative(f)
  }

  /// Method and property names of a value (for completion).
  public func memberNames(of v: Value) -> [String] {
    var names: [String] = []
    switch v.tag {
    case .map: names += v.mapObject.entries.compactMap { $0.key.string }
    case .object:
      let t = v.nativeObject.payload.typeName
      names += (objectProperties[t]?.keys).map(Array.init) ?? []
      names += (objectMethods[t]?.keys).map(Array.init) ?? []
    default: break
    }
    names += methods[v.tag].keys
    return Array(Set(names)).sorted()
  }

  public func methodNames(ofKind tag: Value.Tag) -> [String] { methods[tag].keys.sorted() }

  // MARK: Compiling and running

  /// Parses and compiles `source` for `module`.
  public func compile(_ source: Source, module: Module) -> Result<ClosureObject, Diagnostics> {
    let (program, syntaxErrors) = Parser.parse(source)
    if !syntaxErrors.isEmpty { return .failure(Diagnostics(syntaxErrors)) }
    switch Compiler.compile(program, source: source, module: module, vm: self) {
    case .failure(let d): return .failure(d)
    case .success(let proto):
      let c = ClosureObject(proto: proto, upvalues: [])
      _ = heap.makeClosure(c)
      return .success(c)
    }
  }

  /// Compiles and runs `source` in `module`; returns the value of its last expression.
  public func evaluate(_ source: Source, module: Module) -> Result<Value, Diagnostics> {
    switch compile(source, module: module) {
    case .failure(let d): return .failure(d)
    case .success(let closure):
      do { return .success(try run(closure, arguments: [])) }
      catch { return .failure(Diagnostics([diagnostic(for: error)])) }
    }
  }

  /// Runs a closure (top level or a callback) on top of the current stack.
  public func run(_ closure: ClosureObject, arguments: [Value]) throws(RuntimeError) -> Value {
    try call(Value(closure, .closure), arguments)
  }

  /// Calls an hm function (closure or native) from Swift; re-entrant.
  public func call(_ function: Value, _ arguments: [Value], names: [String] = []) throws(RuntimeError) -> Value {
    let top = stackTop
    guard top + arguments.count + 2 < stackCapacity else { throw VM.stackOverflow() }
    stack[top] = function
    for (i, a) in arguments.enumerated() { stack[top + 1 + i] = a }
    switch function.tag {
    case .native:
      let namesList = names.isEmpty ? nil : (heap.makeList(names.map { heap.intern($0) })).listObject
      return try callNative(function.nativeFunction, receiver: .absent, arguments: stack + top + 1,
                            count: arguments.count, names: namesList)
    case .closure:
      nativeDepth += 1
      defer { nativeDepth -= 1 }
      guard nativeDepth <= VM.maximumNativeDepth else { throw VM.stackOverflow() }
      let namesList = names.isEmpty ? nil : (heap.makeList(names.map { heap.intern($0) })).listObject
      try enter(function.closureRef, base: top + 1, count: arguments.count, names: namesList)
      let entryDepth = frameCount - 1
      return try execute(stopDepth: entryDepth)
    default:
      throw RuntimeError("cannot call \(function.typeNameWithArticle)")
    }
  }

  /// First free stack slot above the running frame.
  var stackTop: Int {
    guard frameCount > 0 else { return 0 }
    let f = frames[frameCount - 1]
    return f.base + f.proto._withUnsafeGuaranteedRef { $0.maxRegisters }
  }

  static func stackOverflow() -> RuntimeError {
    RuntimeError("stack overflow (more than \(maximumCallDepth) nested calls, or too deep native recursion)",
                 kind: .stackOverflow, notes: ["is there a recursion without a base case?"])
  }

  /// Pushes a frame for `closure` whose arguments are at `stack[base..<base+count]`.
  @inline(__always)
  func enter(_ closure: Unmanaged<ClosureObject>, base: Int, count: Int, names: ListObject?) throws(RuntimeError) {
    let proto = closure._withUnsafeGuaranteedRef { $0.protoRef }
    let (maxRegisters, parameterCount) = proto._withUnsafeGuaranteedRef { ($0.maxRegisters, $0.parameterCount) }
    guard frameCount < VM.maximumCallDepth, base + maxRegisters + 256 < stackCapacity else {
      throw VM.stackOverflow()
    }
    if count != parameterCount || names != nil {
      try bindArguments(proto.takeUnretainedValue(), stack + base, count: count, names: names)
    }
    let b = stack + base
    var i = parameterCount
    while i < maxRegisters { b[i] = .nil; i += 1 }
    frames[frameCount] = Frame(closure: closure, proto: proto, pc: 0, base: base)
    frameCount += 1
  }

  /// Turns positional + named arguments into one value per parameter (absent when defaulted),
  /// or raises an arity error naming the function.
  func bindArguments(_ proto: FunctionProto, _ args: UnsafeMutablePointer<Value>, count: Int, names: ListObject?) throws(RuntimeError) {
    let params = proto.parameterNames
    let namedCount = names?.items.count ?? 0
    let positional = count - namedCount
    if positional > params.count {
      throw RuntimeError("\(proto.name)() takes \(params.count) argument\(params.count == 1 ? "" : "s") but \(positional) were given")
    }
    var named: [Value] = []
    for j in 0..<namedCount { named.append(args[positional + j]) }
    for i in positional..<max(positional, params.count) { args[i] = .absent }
    for j in 0..<namedCount {
      let name = names?.items[j].string ?? ""
      guard let i = params.firstIndex(of: name) else {
        let guess = params.min { editDistance($0, name) < editDistance($1, name) }
        throw RuntimeError("\(proto.name)() has no parameter named '\(name)'",
                           notes: guess.map { ["its parameters: \(params.joined(separator: ", ")); did you mean '\($0)'?"] } ?? [])
      }
      if !args[i].isAbsent || i < positional {
        throw RuntimeError("\(proto.name)(): argument '\(name)' given twice")
      }
      args[i] = named[j]
    }
    for i in 0..<proto.requiredCount where args[i].isAbsent {
      throw RuntimeError("\(proto.name)() missing argument '\(params[i])'")
    }
  }

  /// Keeps values alive while a native calls back into hm (which may collect garbage).
  public func withRoots<T>(_ values: [Value], _ body: () throws -> T) rethrows -> T {
    let n = extraRoots.count
    extraRoots.append(contentsOf: values)
    defer { extraRoots.removeSubrange(n...) }
    return try body()
  }

  // MARK: Garbage collection

  func collectGarbage() {
    guard collectionPauses == 0 else { return }
    let top = stackTop
    heap.collect { h in
      for i in 0..<min(top, stackCapacity) { h.mark(stack[i]) }
      for f in 0..<frameCount { h.markObject(frames[f].closure.takeUnretainedValue()) }
      for u in openUpvalues { h.markObject(u) }
      for v in extraRoots { h.mark(v) }
      builtins.forEachValue { h.mark($0) }
      for m in modules {
        for s in 0..<m.slotNames.count { h.mark(m.globals[s]) }
        for p in m.protos { h.markProto(p) }
      }
      for (_, v) in importCache { h.mark(v) }
      methods.forEachFunction { h.markObject($0) }
      for table in objectMethods.values { for f in table.values { h.markObject(f) } }
      for table in objectProperties.values { for f in table.values { h.markObject(f) } }
    }
    // Registers above the top are dead and never read before being written: `enter` clears
    // every frame's registers, so no frame sees an object freed here.
  }

  /// Forces a collection (tests, `gc()`); only safe between evaluations or from natives.
  public func collectNow() { collectGarbage() }

  /// Runs `body` with garbage collection deferred — for code that runs while a compilation holds
  /// new, unrooted constants (a builtin loaded on first use is compiled in the middle of another).
  public func withCollectionPaused<R>(_ body: () throws -> R) rethrows -> R {
    collectionPauses += 1
    defer { collectionPauses -= 1 }
    return try body()
  }

  // MARK: Upvalues

  func captureUpvalue(slot: Int) -> UpvalueObject {
    var lo = 0, hi = openUpvalues.count
    while lo < hi { let mid = (lo + hi) / 2; if openUpvalues[mid].slot < slot { lo = mid + 1 } else { hi = mid } }
    if lo < openUpvalues.count && openUpvalues[lo].slot == slot { return openUpvalues[lo] }
    let u = heap.makeUpvalue(slot: slot)
    openUpvalues.insert(u, at: lo)
    return u
  }

  /// Closes every open upvalue at or above `slot`: copies the value out of the register.
  func closeUpvalues(from slot: Int) {
    while let u = openUpvalues.last, u.slot >= slot {
      u.closed = stack[u.slot]
      u.slot = -1
      openUpvalues.removeLast()
    }
  }

  // MARK: Errors

  /// The hm stack, innermost first, at the moment of an error.
  func captureTrace() -> [Diagnostic.Frame] {
    var out: [Diagnostic.Frame] = []
    var f = frameCount - 1
    while f >= 0 {
      let frame = frames[f]
      let proto = frame.proto.takeUnretainedValue()
      let pc = max(0, min(frame.pc - 1, proto.spans.count - 1))
      out.append(Diagnostic.Frame(function: proto.name, source: proto.source,
                                  span: proto.spans.isEmpty ? .none : proto.spans[pc]))
      f -= 1
    }
    return out
  }

  /// The record a `catch` block receives: {message, kind, file, line, column, notes, report}.
  /// `kind` is "error" or "stack overflow"; `report` is the diagnostic as hmaml would print it.
  func errorRecord(_ error: RuntimeError) -> Value {
    let d = diagnostic(for: error)
    let position = d.position
    let kind = error.kind == .stackOverflow ? "stack overflow" : "error"
    return heap.makeMap([
      ("message", heap.makeString(error.message)),
      ("kind", heap.intern(kind)),
      ("file", d.source.map { heap.makeString($0.name) } ?? .nil),
      ("line", position.map { Value($0.line) } ?? .nil),
      ("column", position.map { Value($0.column) } ?? .nil),
      ("notes", heap.makeList(error.notes.map { heap.makeString($0) })),
      ("report", heap.makeString(d.rendered())),
    ])
  }

  /// The diagnostic for an error that escaped `run`.
  public func diagnostic(for error: RuntimeError) -> Diagnostic {
    let kind: Diagnostic.Kind = error.kind == .interrupted ? .interrupted : .runtime
    let trace = error.trace ?? []
    let top = trace.first
    let shownTrace = trace.count > 1 ? trace : []
    return Diagnostic(kind, error.message, source: top?.source, span: top?.span ?? .none,
                      notes: error.notes, trace: shownTrace)
  }
}

/// The methods of each built-in kind, by name: an array indexed by the kind's tag (a
/// dictionary keyed by `Value.Tag` cost a protocol-conformance search at start-up).
struct MethodTables {
  private var tables = [[String: NativeFunction]](repeating: [:], count: Int(Value.Tag.object.rawValue) + 1)

  subscript(kind: Value.Tag) -> [String: NativeFunction] {
    get { tables[Int(kind.rawValue)] }
    _modify { yield &tables[Int(kind.rawValue)] }
  }

  func forEachFunction(_ body: (NativeFunction) -> Void) {
    for table in tables { for f in table.values { body(f) } }
  }
}

struct MethodCacheEntry {
  var tag: UInt8 = 0xFF
  var name: UInt64 = 0
  var function: Unmanaged<NativeFunction>?
}

/// What the runtime provides for native objects (tensors and the like): operators, indexing,
/// iteration, equality. Each returns nil when it does not apply, and the VM reports a type error.
public struct ObjectHooks {
  public enum Operator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%"
    case power = "**", matmul = "@", less = "<", lessEqual = "<=", equal = "==", notEqual = "!="
  }
  public var binary: ((Operator, Value, Value) throws -> Value?)?
  public var negate: ((Value) throws -> Value?)?
  public var getIndex: ((Value, [Value]) throws -> Value?)?
  public var setIndex: ((Value, [Value], Value) throws -> Bool)?
  public var iterate: ((Value) throws -> [Value]?)?
  public var length: ((Value) throws -> Int?)?
  public init() {}
}
