@_exported import HMLang
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One native function, method, property or constant, declared once. From this declaration
/// come argument checking (the VM checks kinds and defaults before `body` runs), `?name` help,
/// tab completion and `docs/primitives.md`.
public struct Primitive {
  public enum Receiver: Equatable {
    /// A method of a built-in kind (`xs.append(1)`).
    case kind(Value.Tag)
    /// A method of a native object type (`t.sum()`).
    case object(String)
    /// A read-only property of a native object type (`maze.width`).
    case property(String)
  }

  /// The name as written by users: `len`, `random.uniform` (a function in the `random` record).
  public var name: String
  public var receiver: Receiver?
  public var parameters: [ParameterSpec]
  public var variadic: String?
  /// What it returns, in words ("a list of floats").
  public var returns: String
  /// One paragraph: what it does, units, edge cases, errors.
  public var doc: String
  /// A line of hm that runs (tests execute every example).
  public var example: String
  /// Section in docs/primitives.md (`core`, `strings`, `tensors`, …).
  public var category: String
  /// A constant value instead of a function (`pi`).
  public var constant: ((VM) -> Value)?
  public var body: (NativeCall) throws -> Value

  public init(_ name: String, on receiver: Receiver? = nil, _ parameters: [ParameterSpec] = [],
              variadic: String? = nil, returns: String = "", category: String,
              doc: String, example: String, body: @escaping (NativeCall) throws -> Value) {
    self.name = name; self.receiver = receiver; self.parameters = parameters; self.variadic = variadic
    self.returns = returns; self.category = category; self.doc = doc; self.example = example
    self.constant = nil; self.body = body
  }

  public static func constant(_ name: String, category: String, doc: String, example: String,
                              value: @escaping (VM) -> Value) -> Primitive {
    var p = Primitive(name, category: category, doc: doc, example: example) { _ in .nil }
    p.constant = value
    return p
  }

  /// How it is called: `maml(policy, tasks, inner_lr: 0.1, ...)`.
  public var usage: String {
    if constant != nil { return name }
    var parts: [String] = []
    for p in parameters {
      switch p.defaultValue {
      case .required: parts.append(p.name)
      case .nil: parts.append("\(p.name): nil")
      case .bool(let b): parts.append("\(p.name): \(b)")
      case .int(let i): parts.append("\(p.name): \(i)")
      case .float(let d): parts.append("\(p.name): \(formatFloat(d))")
      case .string(let s): parts.append("\(p.name): \(quote(s))")
      }
    }
    if let v = variadic { parts.append("\(v)...") }
    let call = "\(name)(\(parts.joined(separator: ", ")))"
    switch receiver {
    case .kind(let k)?: return "\(Primitive.kindName(k)).\(call)"
    case .object(let t)?: return "\(t).\(call)"
    case .property(let t)?: return "\(t).\(name)"
    case nil: return call
    }
  }

  /// The name under which `?` finds it: `len`, `list.append`, `tensor.sum`.
  public var qualifiedName: String {
    switch receiver {
    case .kind(let k)?: return "\(Primitive.kindName(k)).\(name)"
    case .object(let t)?, .property(let t)?: return "\(t).\(name)"
    case nil: return name
    }
  }

  public static func kindName(_ tag: Value.Tag) -> String { tag.name }

  /// The `?name` text.
  public var help: String {
    var out = "\(usage)\n\n\(doc)\n"
    let documented = parameters.filter { !$0.doc.isEmpty }
    if !documented.isEmpty {
      out += "\nParameters:\n"
      for p in documented { out += "  \(p.name) (\(p.kind.description)): \(p.doc)\n" }
    }
    if !returns.isEmpty { out += "\nReturns \(returns).\n" }
    out += "\nExample:\n  \(example.replacing("\n", with: "\n  "))\n"
    return out
  }
}

