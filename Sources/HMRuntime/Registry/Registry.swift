#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HMRL
#if canImport(Glibc)
import Glibc
#endif

/// Every primitive of hmaml, in declaration order. Installing it into a VM binds the functions,
/// methods, properties and constants; the same list answers `?name`, completion, and generates
/// `docs/primitives.md`.
///
/// Primitives can be added as a group built on first use (`addLater`): a VM is promised the
/// group's globals, and the group is built and installed when code first names one of them or
/// the first native object appears. Building all ~290 primitives took a tenth of `hmaml -e 1`,
/// most of it for tensors and RL that a plain script never touches.
public final class Registry {
  private var built: [Primitive] = []
  private var byName: [String: Int] = [:]
  private var groups: [LaterGroup] = []
  /// Hooks installed with the primitives (operators and indexing of native objects).
  public var installers: [(VM) -> Void] = []

  /// A group of primitives added with `addLater`, built at most once.
  private final class LaterGroup {
    let globals: [String]
    let installers: [(VM) -> Void]
    private let build: () -> [Primitive]
    private var cache: [Primitive]?
    /// Whether `primitives` of the registry includes it.
    var merged = false
    init(globals: [String], installers: [(VM) -> Void], build: @escaping () -> [Primitive]) {
      self.globals = globals; self.installers = installers; self.build = build
    }
    var primitives: [Primitive] {
      if let cache { return cache }
      let made = build()
      cache = made
      return made
    }
  }

  public init() { built.reserveCapacity(512); byName.reserveCapacity(512) }

  /// The primitives the language itself needs, built at every start.
  static var languagePrimitives: [[Primitive]] {
    [CorePrimitives.all, MathPrimitives.all, StringPrimitives.all, CollectionPrimitives.all,
     RandomPrimitives.all, FilePrimitives.all]
  }

  /// Tensors, policies, RL, hindsight, plots and tables: built on first use. They define globals
  /// and methods of their own object types only — never methods of built-in kinds, which method
  /// lookup finds without naming a global (a test checks).
  static func researchPrimitives() -> [Primitive] {
    [TensorPrimitives.all, Differentiation.all, PolicyModelPrimitives.all, SamplingPrimitives.all,
     LearnerPrimitives.all, BufferPrimitives.all, SiamesePrimitives.all, HindsightPrimitives.all,
     GuidedPrimitives.all, MazePrimitives.all, TabularPrimitives.all, DivergencePrimitives.all,
     MetricPrimitives.all, MetricTheoryPrimitives.all, PlotPrimitives.all, TablePrimitives.all]
      .flatMap { $0 }.map(namingRLErrors)
  }

  /// `p` with HMRL's errors named after the hm primitive (`siamese.matrix: …`), not after the
  /// Swift operation that raised them (`siamese.similarityMatrix: …`).
  static func namingRLErrors(_ p: Primitive) -> Primitive {
    var named = p
    let body = p.body
    named.body = { call in
      do { return try body(call) } catch let e as RLError { throw call.error(e.message) }
    }
    return named
  }

  /// The registry of everything hmaml ships.
  public static func standard() -> Registry {
    let r = Registry()
    for group in languagePrimitives { r.add(group) }
    r.addLater(globals: PrimitiveIndex.researchGlobals, installers: [TensorOperators.install],
               researchPrimitives)
    return r
  }

  /// The text of Generated/PrimitiveIndex.swift (written by scripts/generate).
  static func primitiveIndexSource() -> String {
    var out = "// Generated from the primitive registry by scripts/generate. Do not edit.\n\n"
    out += "/// Names known before the primitives that define them are built (Registry.standard).\n"
    out += "enum PrimitiveIndex {\n"
    out += "  /// The globals of `Registry.researchPrimitives()`, promised to every VM at start-up.\n"
    out += "  static let researchGlobals: [String] = [\n"
    for name in globals(of: researchPrimitives()) { out += "    \"\(name)\",\n" }
    out += "  ]\n}\n"
    return out
  }

  /// The global names `primitives` define (functions, constants, namespaces), in order.
  static func globals(of primitives: [Primitive]) -> [String] {
    var names: [String] = []
    for p in primitives where p.receiver == nil {
      let name = p.name.utf8.firstIndex(of: UInt8(ascii: ".")).map { String(p.name[..<$0]) } ?? p.name
      if !names.contains(name) { names.append(name) }
    }
    return names
  }

  /// Every primitive, building the groups added with `addLater`.
  public var primitives: [Primitive] {
    mergeGroups()
    return built
  }

  public func add(_ ps: [Primitive]) { for p in ps { add(p) } }

  public func add(_ p: Primitive) {
    let name = p.qualifiedName
    if let i = byName[name] { built[i] = p; return }
    byName[name] = built.count
    built.append(p)
  }

  /// Adds primitives that `build` makes when first needed; `globals` must be exactly the global
  /// names they define (`Registry.globals(of:)`), and `installers` run with them.
  public func addLater(globals: [String], installers: [(VM) -> Void] = [], _ build: @escaping () -> [Primitive]) {
    groups.append(LaterGroup(globals: globals, installers: installers, build: build))
  }

  private func mergeGroups() {
    for g in groups where !g.merged {
      g.merged = true
      add(g.primitives)
    }
  }

  public func primitive(named name: String) -> Primitive? {
    mergeGroups()
    return byName[name].map { built[$0] }
  }

  /// Binds every primitive into `vm`. Dotted names (`random.uniform`) become fields of a record
  /// global (`random`). Groups added with `addLater` and not built yet are promised instead.
  public func install(into vm: VM) {
    install(built, into: vm)
    for install in installers { install(vm) }
    let pending = groups.filter { !$0.merged }
    guard !pending.isEmpty else { return }
    var loaded = false
    let load = { [weak vm] () -> Bool in
      guard let vm, !loaded else { return true }
      loaded = true
      for g in pending {
        self.install(g.primitives, into: vm)
        for install in g.installers { install(vm) }
      }
      return true
    }
    vm.defineBuiltinsLater(pending.flatMap(\.globals), load: load)
    // An object of a later group (a tensor made by an embedding's native) needs its methods and
    // operators even when no global of the group was named.
    vm.heap.beforeFirstNativeObject = { _ = load() }
  }

  private func install(_ primitives: [Primitive], into vm: VM) {
    var namespaces: [String: [(String, Value)]] = [:]
    var order: [String] = []
    for p in primitives {
      let f = NativeFunction(name: p.name, signature: Signature(p.parameters, variadic: p.variadic),
                             receiverType: p.receiver.map { r in
                               switch r {
                               case .kind(let k): return Primitive.kindName(k)
                               case .object(let t), .property(let t): return t
                               }
                             }, body: p.body)
      switch p.receiver {
      case .kind(let k)?: vm.defineMethod(f, on: k)
      case .object(let t)?: vm.defineMethod(f, onObjectType: t)
      case .property(let t)?: vm.defineProperty(f, onObjectType: t)
      case nil:
        let value = p.constant.map { $0(vm) } ?? vm.heap.makeNative(f)
        if let dot = p.name.utf8.firstIndex(of: UInt8(ascii: ".")) {
          let namespace = String(p.name[..<dot])
          if namespaces[namespace] == nil { order.append(namespace) }
          namespaces[namespace, default: []].append((String(p.name[p.name.utf8.index(after: dot)...]), value))
        } else {
          vm.defineBuiltin(p.name, value)
        }
      }
    }
    for ns in order { vm.defineBuiltin(ns, vm.heap.makeMap(namespaces[ns] ?? [])) }
  }

  /// `?name` text: a function, `kind.method`, or a bare method name (all kinds that have it).
  public func help(for name: String) -> String? {
    if let p = primitive(named: name) { return p.help }
    let matches = primitives.filter { $0.name == name }
    if matches.isEmpty { return nil }
    return matches.map(\.help).joined(separator: "\n")
  }

  /// Names for completion: globals (including namespaces) and qualified method names.
  public var globalNames: [String] {
    var names = Set<String>()
    for p in primitives where p.receiver == nil {
      names.insert(String(p.name.split(separator: ".").first ?? ""))
      names.insert(p.name)
    }
    return names.sorted()
  }

  /// `:help`: every primitive by category, one line each.
  public func index() -> String {
    var out = ""
    for category in categories {
      out += "\(category):\n"
      for p in primitives where p.category == category {
        let first = p.doc.split(separator: ".").first.map(String.init) ?? p.doc
        out += "  \(p.qualifiedName.padded(to: 22)) \(first)\n"
      }
    }
    return out
  }

  public var categories: [String] {
    var seen: [String] = []
    for p in primitives where !seen.contains(p.category) { seen.append(p.category) }
    return seen
  }

  /// The generated reference, `docs/primitives.md`.
  public func markdown() -> String {
    var out = "<!-- Generated from the primitive registry (Sources/HMRuntime). Do not edit: run scripts/generate. -->\n"
    out += "# Primitives\n\nEvery native function, method, property and constant of hmaml, from the registry that also checks arguments and answers `?name` in the REPL.\n\n"
    for category in categories {
      out += "- [\(category)](#\(category.lowercased().replacing(" ", with: "-")))\n"
    }
    for category in categories {
      out += "\n## \(category)\n"
      for p in primitives where p.category == category {
        out += "\n### `\(p.usage)`\n\n\(p.doc)\n"
        let documented = p.parameters.filter { !$0.doc.isEmpty }
        if !documented.isEmpty {
          out += "\n| parameter | kind | default | meaning |\n|---|---|---|---|\n"
          for q in documented {
            let d: String
            switch q.defaultValue {
            case .required: d = "required"
            case .nil: d = "nil"
            case .bool(let b): d = "\(b)"
            case .int(let i): d = "\(i)"
            case .float(let f): d = formatFloat(f)
            case .string(let s): d = quote(s)
            }
            out += "| `\(q.name)` | \(q.kind.description) | \(d) | \(q.doc) |\n"
          }
        }
        if !p.returns.isEmpty { out += "\nReturns \(p.returns).\n" }
        out += "\n```\n\(p.example)\n```\n"
      }
    }
    return out
  }
}
