#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A value handed to Swift: a deep copy of an hm value, safe to keep after the next evaluation.
public enum HostValue: Equatable, CustomStringConvertible {
  case `nil`
  case bool(Bool)
  case int(Int)
  case float(Double)
  case string(String)
  case list([HostValue])
  case record([String: HostValue], order: [String])
  /// A function, by name (call it through `Interpreter.call`).
  case function(String)
  /// A native object (tensor, policy, …) or a range, by its printed form and type.
  case object(type: String, description: String)

  public var description: String {
    switch self {
    case .nil: return "nil"
    case .bool(let b): return "\(b)"
    case .int(let i): return "\(i)"
    case .float(let d): return formatFloat(d)
    case .string(let s): return quote(s)
    case .list(let xs): return "[" + xs.map(\.description).joined(separator: ", ") + "]"
    case .record(let d, let order): return "{" + order.map { "\($0): \(d[$0]?.description ?? "nil")" }.joined(separator: ", ") + "}"
    case .function(let n): return "<fn \(n)>"
    case .object(_, let d): return d
    }
  }

  public var int: Int? { if case .int(let i) = self { return i }; return nil }
  public var double: Double? {
    switch self { case .int(let i): return Double(i); case .float(let d): return d; default: return nil }
  }
  public var string: String? { if case .string(let s) = self { return s }; return nil }
  public var list: [HostValue]? { if case .list(let l) = self { return l }; return nil }
  public subscript(field: String) -> HostValue? { if case .record(let d, _) = self { return d[field] }; return nil }
}

/// The embeddable interpreter: one VM with the registry installed and the prelude loaded.
/// Evaluate source, read values back as Swift values, define natives, capture output.
///
///     let hm = Interpreter()
///     let v = try hm.evaluate("let x = 6 * 7\nx")   // .int(42)
public final class Interpreter {
  public let vm: VM
  public let registry: Registry
  /// The module REPL entries and scripts run in.
  public private(set) var main: Module
  let state: RuntimeState

  /// - Parameters:
  ///   - registry: the primitives to install (the standard set by default).
  ///   - output: where `print` writes (stdout by default).
  ///   - seed: seed of the script-level random generator.
  public init(registry: Registry = .standard(), output: ((String) -> Void)? = nil, seed: UInt64 = 0,
              scriptDirectory: String? = nil) {
    vm = VM()
    self.registry = registry
    state = RuntimeState(seed: seed)
    vm.context = state
    if let output { vm.output = output }
    vm.bundledModule = { BundledStdlib.modules[$0] }
    vm.searchPath = (getenv("HMAML_PATH").map { String(cString: $0) } ?? "")
      .split(separator: ":").map(String.init).filter { !$0.isEmpty }
    registry.install(into: vm)
    // Compiled when code first names one of its functions: a fifth of `hmaml -e 1` otherwise.
    vm.defineBuiltinsLater(BundledStdlib.preludeNames) { [weak vm] in
      vm.flatMap(Interpreter.loadPrelude) != nil
    }
    main = vm.makeModule(name: "main", directory: scriptDirectory)
  }

  /// Compiles and runs stdlib/prelude.hm and makes its globals builtins; their names, or nil if
  /// it failed.
  static func loadPrelude(into vm: VM) -> [String]? {
    guard let text = BundledStdlib.modules["prelude"] else { return nil }
    let module = vm.makeModule(name: "prelude", directory: nil)
    let source = Source(name: "<stdlib>/prelude.hm", text: text)
    // It may run in the middle of compiling a script that names `map`: no collection then.
    let loaded = vm.withCollectionPaused { () -> Bool in
      guard case .success(let closure) = vm.compile(source, module: module) else { return false }
      do { _ = try vm.run(closure, arguments: []) } catch { return false }
      return true
    }
    guard loaded else { return nil }
    let names = module.definedNames.filter { !vm.isBuiltin($0) }
    for name in names {
      if let v = module.value(of: name) { vm.defineBuiltin(name, v) }
    }
    return names
  }

  public var seed: UInt64 {
    get { state.seed }
    set { state.seed = newValue; state.random = ScriptRandom(seed: newValue) }
  }

  public var scriptArguments: [String] {
    get { state.scriptArguments }
    set { state.scriptArguments = newValue }
  }

  /// Where `print` writes.
  public var output: (String) -> Void {
    get { vm.output }
    set { vm.output = newValue }
  }

  /// Runs a script file in a fresh main module whose folder is the script's (for imports).
  public func runFile(_ path: String) throws(Diagnostics) -> Value {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) }
    catch { throw Diagnostics([Diagnostic(.runtime, "cannot read '\(path)': \(error)", source: nil, span: .none)]) }
    main = vm.makeModule(name: "main", directory: path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) : ".")
    return try evaluateRaw(text, name: path)
  }

  /// Compiles and runs `code` in the main module; returns the value of its last expression.
  public func evaluateRaw(_ code: String, name: String = "<eval>") throws(Diagnostics) -> Value {
    Interrupt.clear()
    switch vm.evaluate(Source(name: name, text: code), module: main) {
    case .success(let v): return v
    case .failure(let d): throw d
    }
  }

  /// Evaluates `code` and returns its value as a Swift value.
  @discardableResult
  public func evaluate(_ code: String, name: String = "<eval>") throws(Diagnostics) -> HostValue {
    host(try evaluateRaw(code, name: name))
  }

  /// Compiles without running: syntax and compile errors only.
  public func check(_ code: String, name: String = "<check>") -> Diagnostics? {
    if case .failure(let d) = compileAside(code, name: name) { return d }
    return nil
  }

  /// The bytecode listing of `code` and of every function in it (docs/bytecode.md explains the
  /// instructions), or its compile errors. Runs nothing.
  public func disassemble(_ code: String, name: String = "<check>") -> Result<String, Diagnostics> {
    compileAside(code, name: name).map { Disassembler.listing($0.proto) }
  }

  /// Compiles `code` in a scratch module that sees the main module's names, so that nothing it
  /// declares changes the session.
  private func compileAside(_ code: String, name: String) -> Result<ClosureObject, Diagnostics> {
    let scratch = vm.makeModule(name: "check", directory: main.directory)
    for n in main.definedNames { if let v = main.value(of: n) { scratch.define(n, v) } }
    return vm.compile(Source(name: name, text: code), module: scratch)
  }

  /// The value of a global of the main module.
  public func global(_ name: String) -> HostValue? { main.value(of: name).map(host) }

  /// Defines a native function visible to scripts (for embedding and tests).
  public func define(_ name: String, parameters: [ParameterSpec] = [], variadic: String? = nil,
                     _ body: @escaping (NativeCall) throws -> Value) {
    let f = NativeFunction(name: name, signature: Signature(parameters, variadic: variadic), body: body)
    main.define(name, vm.heap.makeNative(f))
  }

  /// Calls a global hm function with Swift arguments.
  public func call(_ function: String, _ arguments: [HostValue]) throws(Diagnostics) -> HostValue {
    guard let f = main.value(of: function) else {
      throw Diagnostics([Diagnostic(.runtime, "unknown function '\(function)'", source: nil, span: .none)])
    }
    do { return host(try vm.call(f, arguments.map(guest))) }
    catch { throw Diagnostics([vm.diagnostic(for: error)]) }
  }

  /// Converts an hm value to a Swift value (deep copy).
  public func host(_ v: Value) -> HostValue { host(v, depth: 0) }

  func host(_ v: Value, depth: Int) -> HostValue {
    if depth > 100 { return .object(type: v.typeName, description: "...") }
    switch v.tag {
    case .nil, .absent: return .nil
    case .bool: return .bool(v.bool)
    case .int: return .int(v.int)
    case .float: return .float(v.float)
    case .string: return .string(v.string ?? "")
    case .list: return .list(v.listObject.items.map { host($0, depth: depth + 1) })
    case .map:
      var d: [String: HostValue] = [:], order: [String] = []
      for (k, x) in v.mapObject.entries { let key = vm.str(k); d[key] = host(x, depth: depth + 1); order.append(key) }
      return .record(d, order: order)
    case .closure: return .function(v.closureObject.proto.name)
    case .native: return .function(v.nativeFunction.name)
    case .range, .object: return .object(type: v.typeName, description: vm.repr(v))
    }
  }

  /// Converts a Swift value to an hm value.
  public func guest(_ h: HostValue) -> Value {
    switch h {
    case .nil: return .nil
    case .bool(let b): return Value(b)
    case .int(let i): return Value(i)
    case .float(let d): return Value(d)
    case .string(let s): return vm.heap.makeString(s)
    case .list(let xs): return vm.heap.makeList(xs.map(guest))
    case .record(let d, let order):
      let m = MapObject()
      for k in order { if let x = d[k] { try? m.set(vm.heap.intern(k), guest(x)) } }
      return vm.heap.makeMap(m)
    case .function(let n): return main.value(of: n) ?? .nil
    case .object: return .nil
    }
  }

  /// The text the REPL echoes for a value.
  public func display(_ v: Value, width: Int = 100) -> String { vm.repr(v, width: width) }

  /// `?name`: registry help for builtins, or a one-line summary of a user global.
  public func help(for name: String) -> String? {
    if let h = registry.help(for: name) { return h }
    if let v = main.value(of: name) {
      if v.tag == .closure {
        let p = v.closureObject.proto
        return "\(name)(\(p.parameterNames.joined(separator: ", "))): a function defined in \(p.source.name)\n"
      }
      return "\(name): \(v.typeNameWithArticle)\n"
    }
    return nil
  }

  /// Completion candidates for the word ending at the end of `prefix` (keywords, globals,
  /// registry names, and `.members` of the value named left of the dot).
  public func completions(for prefix: String) -> [String] {
    if let dot = prefix.lastIndex(of: ".") {
      let objectName = String(prefix[..<dot]).split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).last.map(String.init) ?? ""
      let partial = String(prefix[prefix.index(after: dot)...])
      guard let v = main.value(of: objectName) else { return [] }
      return vm.memberNames(of: v).filter { $0.hasPrefix(partial) }
    }
    let partial = String(prefix.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
    var names = Set(Keyword.allCases.map(\.rawValue))
    names.formUnion(main.visibleNames)
    return names.filter { $0.hasPrefix(partial) }.sorted()
  }

  /// Forgets every user definition (`:reset`); builtins stay.
  public func reset() {
    main = vm.makeModule(name: "main", directory: main.directory)
  }
}
