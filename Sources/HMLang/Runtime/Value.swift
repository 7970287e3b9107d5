/// An hm value: a tag and 64 bits of payload. Numbers and booleans are unboxed; heap objects are
/// referenced by an unretained pointer kept alive by the `Heap`'s garbage collector. The type is
/// trivial (no ARC on copy), which is what keeps the VM's registers cheap (DESIGN.md §8).
public struct Value {
  public enum Tag: UInt8 {
    /// Not a value: a missing argument, an unset global. Never visible to scripts.
    case absent
    case `nil`, bool, int, float
    case string, list, map, range, closure, native, object

    /// The user-facing name of the kind (`record` for maps; `object` for native objects, whose
    /// own type name `Value.typeName` gives).
    public var name: String {
      switch self {
      case .absent: return "absent"
      case .nil: return "nil"
      case .bool: return "bool"
      case .int: return "int"
      case .float: return "float"
      case .string: return "string"
      case .list: return "list"
      case .map: return "record"
      case .range: return "range"
      case .closure, .native: return "function"
      case .object: return "object"
      }
    }
  }

  @usableFromInline var bits: UInt64
  public let tag: Tag

  @inlinable init(bits: UInt64, tag: Tag) { self.bits = bits; self.tag = tag }

  public static let absent = Value(bits: 0, tag: .absent)
  public static let `nil` = Value(bits: 0, tag: .nil)
  public static let `true` = Value(bits: 1, tag: .bool)
  public static let `false` = Value(bits: 0, tag: .bool)

  @inlinable public init(_ v: Int) { bits = UInt64(bitPattern: Int64(v)); tag = .int }
  @inlinable public init(_ v: Double) { bits = v.bitPattern; tag = .float }
  @inlinable public init(_ v: Bool) { bits = v ? 1 : 0; tag = .bool }

  init(_ object: HeapObject, _ tag: Tag) {
    bits = UInt64(UInt(bitPattern: Unmanaged.passUnretained(object).toOpaque()))
    self.tag = tag
  }

  @inlinable public var int: Int { Int(Int64(bitPattern: bits)) }
  @inlinable public var float: Double { Double(bitPattern: bits) }
  @inlinable public var bool: Bool { bits != 0 }
  @inlinable public var isNil: Bool { tag == .nil }
  /// The same object (heap values), or the same bits (scalars: `nan` is identical to itself).
  /// Strings are compared by identity too: equal text may live in two objects.
  @inlinable public func isIdentical(to other: Value) -> Bool { tag == other.tag && bits == other.bits }
  @inlinable public var isAbsent: Bool { tag == .absent }
  @inlinable public var isNumber: Bool { tag == .int || tag == .float }
  /// The number as a Double (ints converted); only meaningful when `isNumber`.
  @inlinable public var number: Double { tag == .int ? Double(int) : float }

  /// Python-like truthiness: nil, false, 0, 0.0, "" and empty lists and maps are false.
  public var isTruthy: Bool {
    switch tag {
    case .nil, .absent: return false
    case .bool, .int: return bits != 0
    case .float: return float != 0
    case .string: return stringObject.count != 0
    case .list: return !listObject.items.isEmpty
    case .map: return mapObject.count != 0
    default: return true
    }
  }

  @inline(__always) func object<T: HeapObject>(_: T.Type) -> T {
    Unmanaged<T>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(bits)).unsafelyUnwrapped).takeUnretainedValue()
  }
  @inline(__always) func unmanaged<T: HeapObject>(_: T.Type) -> Unmanaged<T> {
    Unmanaged<T>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(bits)).unsafelyUnwrapped)
  }
  /// Calls `body` with the object borrowed, not retained: `object(_:)` costs an atomic retain and
  /// release on a cold cache line, which was 38% of a string-keyed map loop (perf). Safe because
  /// the collector only runs at safepoints, never inside `body` unless `body` calls back into hm.
  @inlinable public func borrow<T: HeapObject, R>(_: T.Type, _ body: (T) throws -> R) rethrows -> R {
    try Unmanaged<T>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(bits)).unsafelyUnwrapped)._withUnsafeGuaranteedRef(body)
  }
  var heapObject: HeapObject? { tag.rawValue >= Tag.string.rawValue ? object(HeapObject.self) : nil }
  public var stringObject: StringObject { object(StringObject.self) }
  public var listObject: ListObject { object(ListObject.self) }
  public var mapObject: MapObject { object(MapObject.self) }
  public var rangeObject: RangeObject { object(RangeObject.self) }
  public var closureObject: ClosureObject { object(ClosureObject.self) }
  @inline(__always) var closureRef: Unmanaged<ClosureObject> {
    Unmanaged<ClosureObject>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(bits)).unsafelyUnwrapped)
  }
  public var nativeFunction: NativeFunction { object(NativeFunction.self) }
  public var nativeObject: NativeObjectBox { object(NativeObjectBox.self) }

  /// The Swift string of a string value; nil for other kinds.
  public var string: String? { tag == .string ? stringObject.string : nil }

  /// The user-facing type name: `int`, `list`, `tensor`, …
  public var typeName: String { tag == .object ? nativeObject.payload.typeName : tag.name }

  /// "a string", "an int": for error messages.
  public var typeNameWithArticle: String {
    let n = typeName
    return (["a", "e", "i", "o", "u"].contains(n.first.map(String.init) ?? "") ? "an " : "a ") + n
  }
}

/// Base class of every garbage-collected object.
public class HeapObject {
  /// Set during the mark phase; cleared by the sweep.
  final var marked = false
  /// True for strings, which the heap recycles instead of freeing (see `Heap.collect`).
  final var isString = false
  init() {}
  /// Marks the values this object references.
  func trace(_ heap: Heap) {}
}
