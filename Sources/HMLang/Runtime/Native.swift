/// The kinds a native parameter may require; checked before the implementation runs.
public enum ValueKind: Sendable, Equatable {
  case any, int, number, bool, string, list, map, function, range
  /// A native object whose `typeName` is given (`tensor`, `policy`, …).
  case object(String)
  /// Any of several kinds (`int or list`).
  indirect case oneOf([ValueKind])
  /// The kind, or nil.
  indirect case optional(ValueKind)

  public var description: String {
    switch self {
    case .any: return "any value"
    case .int: return "an int"
    case .number: return "a number"
    case .bool: return "a bool"
    case .string: return "a string"
    case .list: return "a list"
    case .map: return "a record"
    case .function: return "a function"
    case .range: return "a range"
    case .object(let n): return (["a","e","i","o","u"].contains(n.prefix(1)) ? "an " : "a ") + n
    case .oneOf(let ks): return ks.map(\.description).joined(separator: " or ")
    case .optional(let k): return k.description + " or nil"
    }
  }

  /// Bit `tag` set for every tag this kind accepts whatever the value; bit 15 set when a value
  /// of some other tag may still be accepted after a look at it (a native object's type name).
  var tagMask: UInt16 {
    func bit(_ t: Value.Tag) -> UInt16 { 1 << UInt16(t.rawValue) }
    switch self {
    case .any: return 0x7FFF & ~bit(.absent)
    case .int: return bit(.int)
    case .number: return bit(.int) | bit(.float)
    case .bool: return bit(.bool)
    case .string: return bit(.string)
    case .list: return bit(.list)
    case .map: return bit(.map)
    case .function: return bit(.closure) | bit(.native)
    case .range: return bit(.range)
    case .object: return 0x8000
    case .oneOf(let ks): return ks.reduce(0) { $0 | $1.tagMask }
    case .optional(let k): return k.tagMask | bit(.nil)
    }
  }

  public func accepts(_ v: Value) -> Bool {
    switch self {
    case .any: return !v.isAbsent
    case .int: return v.tag == .int
    case .number: return v.tag == .int || v.tag == .float
    case .bool: return v.tag == .bool
    case .string: return v.tag == .string
    case .list: return v.tag == .list
    case .map: return v.tag == .map
    case .function: return v.tag == .closure || v.tag == .native
    case .range: return v.tag == .range
    case .object(let n): return v.tag == .object && v.nativeObject.payload.typeName == n
    case .oneOf(let ks): return ks.contains { $0.accepts(v) }
    case .optional(let k): return v.isNil || k.accepts(v)
    }
  }
}

/// A default for an optional native parameter.
public enum DefaultValue: Sendable, Equatable {
  case `nil`, bool(Bool), int(Int), float(Double), string(String)
  /// No default: the caller must pass it.
  case required
}

/// One declared native parameter.
public struct ParameterSpec: Sendable {
  public var name: String
  public var kind: ValueKind
  public var defaultValue: DefaultValue
  public var doc: String
  public init(_ name: String, _ kind: ValueKind = .any, default defaultValue: DefaultValue = .required, doc: String = "") {
    self.name = name; self.kind = kind; self.defaultValue = defaultValue; self.doc = doc
  }
}

/// The declared interface of a native: its parameters and whether extra positional arguments
/// are collected (`print(a, b, c)`).
public struct Signature: Sendable {
  public var parameters: [ParameterSpec]
  /// Name of a trailing parameter that receives any extra positional arguments as a list.
  public var variadic: String?
  public init(_ parameters: [ParameterSpec], variadic: String? = nil) {
    self.parameters = parameters; self.variadic = variadic
  }
}

/// The arguments of one native call, resolved against the signature (defaults filled in, kinds
/// checked) — and the VM, to allocate values or call back into hm.
public struct NativeCall {
  // Unretained: the VM outlives every call it makes, and so does the function being called (it
  // is in a register or the method table). Retaining both cost two atomic pairs per call.
  public unowned(unsafe) let vm: VM
  /// The receiver of a method call (`xs` in `xs.append(1)`), else `.absent`.
  public let receiver: Value
  /// One value per declared parameter, in declaration order (defaults filled in). Valid only
  /// during the call: it may point into the VM's registers.
  let argumentsPointer: UnsafePointer<Value>
  public let argumentCount: Int
  /// Extra positional arguments when the signature is variadic.
  public let rest: [Value]
  public unowned(unsafe) let function: NativeFunction

  public var arguments: [Value] { Array(UnsafeBufferPointer(start: argumentsPointer, count: argumentCount)) }
  public subscript(_ i: Int) -> Value { argumentsPointer[i] }
  public func int(_ i: Int) -> Int { argumentsPointer[i].int }
  public func double(_ i: Int) -> Double { argumentsPointer[i].number }
  public func bool(_ i: Int) -> Bool { argumentsPointer[i].bool }
  public func string(_ i: Int) -> String { argumentsPointer[i].string ?? "" }
  public func isGiven(_ i: Int) -> Bool { !argumentsPointer[i].isNil }
  /// The native object of a parameter declared as `.object(T)`.
  public func object<T: AnyObject>(_ i: Int, as: T.Type) throws -> T {
    guard argumentsPointer[i].tag == .object, let o = argumentsPointer[i].nativeObject.payload as? T else {
      throw RuntimeError("\(function.name): '\(function.signature.parameters[i].name)' has the wrong kind of object")
    }
    return o
  }
  /// `name: message` errors.
  public func error(_ message: String) -> RuntimeError { RuntimeError("\(function.displayName): \(message)") }
}

/// A function implemented in Swift. Declared once (name, signature, body); the VM checks the
/// arguments against the signature before calling `body`.
public final class NativeFunction: HeapObject {
  public let name: String
  public let signature: Signature
  /// For methods: the receiver kind's name (`list`, `string`, `tensor`), used in messages.
  public let receiverType: String?
  public let body: (NativeCall) throws -> Value
  /// hm values the body holds (a function made by `grad(f)` holds `f`): kept alive by the GC.
  public let captures: [Value]

  /// `signature.parameters.count`, and each parameter's ``ValueKind/tagMask``: the argument check
  /// of a positional call reads these (copying the parameter specs cost reference counting on
  /// every native call).
  let parameterCount: Int
  let isVariadic: Bool
  let tagMasks: ContiguousArray<UInt16>

  public init(name: String, signature: Signature, receiverType: String? = nil, captures: [Value] = [],
              body: @escaping (NativeCall) throws -> Value) {
    self.name = name; self.signature = signature; self.receiverType = receiverType; self.body = body
    self.captures = captures
    parameterCount = signature.parameters.count
    isVariadic = signature.variadic != nil
    tagMasks = ContiguousArray(signature.parameters.map(\.kind.tagMask))
  }

  /// Whether `count` positional arguments (exactly the declared parameters) have their kinds.
  @inline(__always)
  func acceptsPositionally(_ args: UnsafePointer<Value>, count: Int) -> Bool {
    tagMasks.withUnsafeBufferPointer { masks in
      for k in 0..<count {
        let mask = masks[k]
        if mask & (1 << UInt16(args[k].tag.rawValue)) != 0 { continue }
        if mask & 0x8000 == 0 || !signature.parameters[k].kind.accepts(args[k]) { return false }
      }
      return true
    }
  }

  override func trace(_ heap: Heap) { for v in captures { heap.mark(v) } }

  var displayName: String { receiverType.map { "\($0).\(name)" } ?? name }
}

/// A Swift object exposed to hm (a tensor, an MDP, a policy…). HMLang knows nothing about it
/// beyond this protocol; the runtime registers its methods, properties and operators.
public protocol NativeObject: AnyObject {
  /// The hm type name (`tensor`, `maze`, …).
  var typeName: String { get }
  /// The text shown when the value is printed.
  func describe(width: Int) -> String
  /// hm values this object holds (so the garbage collector keeps them alive).
  func forEachValue(_ body: (Value) -> Void)
}

extension NativeObject {
  public func forEachValue(_ body: (Value) -> Void) {}
  public func describe(width: Int) -> String { "<\(typeName)>" }
}

/// The heap cell that holds a native object.
public final class NativeObjectBox: HeapObject {
  public let payload: NativeObject
  init(_ payload: NativeObject) { self.payload = payload }
  override func trace(_ heap: Heap) { payload.forEachValue { heap.mark($0) } }
}
