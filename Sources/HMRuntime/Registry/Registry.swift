#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Every primitive of hmaml, in declaration order. Installing it into a VM binds the functions,
/// methods, properties and constants; the same list answers `?name`, completion, and generates
/// `docs/primitives.md`.
public final class Registry {
  public private(set) var primitives: [Primitive] = []
  private var byName: [String: Int] = [:]
  /// Hooks installed with the primitives (operators and indexing of native objects).
  public var installers: [(VM) -> Void] = []

  public init() { primitives.reserveCapacity(512); byName.reserveCapacity(512) }

  /// The registry of everything hmaml ships.
  public static func standard() -> Registry {
    let r = Registry()
    r.add(CorePrimitives.all)
    r.add(MathPrimitives.all)
    r.add(StringPrimitives.all)
    r.add(CollectionPrimitives.all)
    r.add(RandomPrimitives.all)
    r.add(FilePrimitives.all)
    r.add(TensorPrimitives.all)
    r.add(Differentiation.all)
    r.add(PolicyModelPrimitives.all)
    r.add(SamplingPrimitives.all)
    r.add(LearnerPrimitives.all)
    r.add(BufferPrimitives.all)
    r.add(SiamesePrimitives.all)
    r.add(HindsightPrimitives.all)
    r.add(GuidedPrimitives.all)
    r.add(MazePrimitives.all)
    r.add(TabularPrimitives.all)
    r.add(DivergencePrimitives.all)
    r.add(MetricPrimitives.all)
    r.add(MetricTheoryPrimitives.all)
    r.add(PlotPrimitives.all)
    r.add(TablePrimitives.all)
    r.installers.append(TensorOperators.install)
    return r
  }

  public func add(_ ps: [Primitive]) { for p in ps { add(p) } }

  public func add(_ p: Primitive) {
    let name = p.qualifiedName
    if let i = byName[name] { primitives[i] = p; return }
    byName[name] = primitives.count
    primitives.append(p)
  }

  public func primitive(named name: String) -> Primitive? { byName[name].map { primitives[$0] } }

  /// Binds every primitive into `vm`. Dotted names (`random.uniform`) become fields of a record
  /// global (`random`).
  public func install(into vm: VM) {
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
    for install in installers { install(vm) }
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
