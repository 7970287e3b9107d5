#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Arithmetic and comparison off the int/int fast paths: Python semantics (`7 / 2 == 3.5`,
/// floor division and modulo rounding toward −∞, `**` exact on ints), overflow as an error,
/// strings and lists (`+`, `*`), and native objects through `objectHooks`.
extension VM {
  @inline(never)
  func arithmetic(_ op: ObjectHooks.Operator, _ x: Value, _ y: Value) throws(RuntimeError) -> Value {
    if x.tag == .int && y.tag == .int {
      let a = x.int, b = y.int
      switch op {
      case .add:
        let (r, o) = a.addingReportingOverflow(b); if o { throw overflow("+", x, y) }; return Value(r)
      case .subtract:
        let (r, o) = a.subtractingReportingOverflow(b); if o { throw overflow("-", x, y) }; return Value(r)
      case .multiply:
        let (r, o) = a.multipliedReportingOverflow(by: b); if o { throw overflow("*", x, y) }; return Value(r)
      case .divide:
        if b == 0 { throw RuntimeError("division by zero") }
        return Value(Double(a) / Double(b))
      case .floorDivide:
        if b == 0 { throw RuntimeError("integer division by zero") }
        if a == Int.min && b == -1 { throw overflow("//", x, y) }
        let q = a / b
        return Value((a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q)
      case .modulo:
        if b == 0 { throw RuntimeError("modulo by zero") }
        if b == -1 { return Value(0) }
        let r = a % b
        return Value((r != 0 && (r < 0) != (b < 0)) ? r + b : r)
      case .power:
        if b < 0 { return Value(pow(Double(a), Double(b))) }
        var result = 1, base = a, e = b
        while e > 0 {
          if e & 1 == 1 {
            let (r, o) = result.multipliedReportingOverflow(by: base); if o { throw overflow("**", x, y) }
            result = r
          }
          e >>= 1
          if e > 0 {
            let (r, o) = base.multipliedReportingOverflow(by: base); if o { throw overflow("**", x, y) }
            base = r
          }
        }
        return Value(result)
      default: break
      }
    }
    if x.isNumber && y.isNumber && op != .matmul {
      let a = x.number, b = y.number
      switch op {
      case .add: return Value(a + b)
      case .subtract: return Value(a - b)
      case .multiply: return Value(a * b)
      case .divide:
        if b == 0 { throw RuntimeError("division by zero") }
        return Value(a / b)
      case .floorDivide:
        if b == 0 { throw RuntimeError("division by zero") }
        return Value((a / b).rounded(.down))
      case .modulo:
        if b == 0 { throw RuntimeError("modulo by zero") }
        let r = fmod(a, b)
        return Value((r != 0 && (r < 0) != (b < 0)) ? r + b : r)
      case .power:
        let r = pow(a, b)
        if r.isNaN && !a.isNaN && !b.isNaN { throw RuntimeError("\(a) ** \(b) is not a real number") }
        return Value(r)
      default: break
      }
    }
    if x.tag == .object || y.tag == .object, let hook = objectHooks.binary {
      do { if let r = try hook(op, x, y) { return r } }
      catch { throw asRuntimeError(error) }
    }
    switch (op, x.tag, y.tag) {
    case (.add, .string, .string):
      return x.borrow(StringObject.self) { xs in y.borrow(StringObject.self) { xs.concatenated($0, heap: heap) } }
    case (.add, .list, .list):
      return heap.makeList(x.listObject.items + y.listObject.items)
    case (.multiply, .list, .int), (.multiply, .int, .list):
      let (l, n) = x.tag == .list ? (x.listObject, y.int) : (y.listObject, x.int)
      guard n <= 100_000_000 / max(1, l.items.count) else { throw RuntimeError("list repetition too large") }
      let items = l.items, times = max(0, n)
      // `[v] * n` is how scripts make a fixed-size array: one allocation, no appends.
      if items.count == 1 { return heap.makeList(Array(repeating: items[0], count: times)) }
      var out: [Value] = []
      out.reserveCapacity(items.count * times)
      for _ in 0..<times { out.append(contentsOf: items) }
      return heap.makeList(out)
    case (.multiply, .string, .int), (.multiply, .int, .string):
      let (s, n) = x.tag == .string ? (x.string ?? "", y.int) : (y.string ?? "", x.int)
      guard n <= 1_000_000_000 / max(1, s.utf8.count) else { throw RuntimeError("string repetition too large") }
      return heap.makeString(String(repeating: s, count: max(0, n)))
    default: break
    }
    if op == .add && (x.tag == .string || y.tag == .string) {
      throw RuntimeError("cannot add \(x.typeNameWithArticle) and \(y.typeNameWithArticle)",
                         notes: ["convert with str(...) or use interpolation: \"{x}\""])
    }
    throw RuntimeError("unsupported operand types for \(op.rawValue): \(x.typeName) and \(y.typeName)")
  }

  @inline(never)
  func negate(_ x: Value) throws(RuntimeError) -> Value {
    if x.tag == .object, let hook = objectHooks.negate {
      do { if let r = try hook(x) { return r } } catch { throw asRuntimeError(error) }
    }
    throw RuntimeError("cannot negate \(x.typeNameWithArticle)")
  }

  /// Structural equality: numbers by value, strings by content, lists and records element-wise.
  /// Deepest nesting `==` follows in lists and records (each level is a native stack frame).
  static let maximumComparisonDepth = 1000

  public func valuesEqual(_ x: Value, _ y: Value) throws(RuntimeError) -> Bool {
    try valuesEqual(x, y, depth: 0)
  }

  func valuesEqual(_ x: Value, _ y: Value, depth: Int) throws(RuntimeError) -> Bool {
    if depth > VM.maximumComparisonDepth {
      throw RuntimeError("== compares lists and records nested more than \(VM.maximumComparisonDepth) levels deep (one that contains itself?)",
                         notes: ["identical(a, b) tells whether two values are the same object"])
    }
    if x.tag == y.tag {
      switch x.tag {
      case .nil, .absent: return true
      case .bool, .int: return x.bits == y.bits
      case .float: return x.float == y.float
      case .string: return x.stringObject.equals(y.stringObject)
      case .list:
        if x.bits == y.bits { return true }  // the same list (as Python's containers compare)
        let a = x.listObject.items, b = y.listObject.items
        if a.count != b.count { return false }
        for k in 0..<a.count where !(try valuesEqual(a[k], b[k], depth: depth + 1)) { return false }
        return true
      case .map:
        if x.bits == y.bits { return true }
        let a = x.mapObject, b = y.mapObject
        if a.count != b.count { return false }
        for (k, v) in a.entries {
          guard let w = try b.get(k), try valuesEqual(v, w, depth: depth + 1) else { return false }
        }
        return true
      case .range:
        let a = x.rangeObject, b = y.rangeObject
        return a.count == b.count && (a.count == 0 || (a.start == b.start && (a.count == 1 || a.step == b.step)))
      case .object:
        if x.bits == y.bits { return true }
        if let hook = objectHooks.binary {
          do { if let r = try hook(.equal, x, y) { return r.isTruthy } } catch { throw asRuntimeError(error) }
        }
        return false
      default: return x.bits == y.bits
      }
    }
    if x.isNumber && y.isNumber { return x.number == y.number }
    return false
  }

  public func lessThan(_ x: Value, _ y: Value) throws(RuntimeError) -> Bool {
    if x.tag == .int && y.tag == .int { return x.int < y.int }
    if x.isNumber && y.isNumber { return x.number < y.number }
    if x.tag == .string && y.tag == .string { return x.stringObject.compare(y.stringObject) < 0 }
    if x.tag == .list && y.tag == .list { return try compareLists(x.listObject, y.listObject) < 0 }
    throw RuntimeError("cannot compare \(x.typeNameWithArticle) with \(y.typeNameWithArticle)")
  }

  public func lessOrEqual(_ x: Value, _ y: Value) throws(RuntimeError) -> Bool {
    if x.tag == .int && y.tag == .int { return x.int <= y.int }
    if x.isNumber && y.isNumber { return x.number <= y.number }
    if x.tag == .string && y.tag == .string { return x.stringObject.compare(y.stringObject) <= 0 }
    if x.tag == .list && y.tag == .list { return try compareLists(x.listObject, y.listObject) <= 0 }
    throw RuntimeError("cannot compare \(x.typeNameWithArticle) with \(y.typeNameWithArticle)")
  }

  func compareLists(_ a: ListObject, _ b: ListObject) throws(RuntimeError) -> Int {
    for k in 0..<min(a.items.count, b.items.count) {
      if try lessThan(a.items[k], b.items[k]) { return -1 }
      if try lessThan(b.items[k], a.items[k]) { return 1 }
    }
    return a.items.count - b.items.count
  }

  /// `element in container`.
  func contains(_ container: Value, _ element: Value) throws(RuntimeError) -> Bool {
    switch container.tag {
    case .list:
      for v in container.listObject.items where try valuesEqual(v, element) { return true }
      return false
    case .map: return try container.mapObject.get(element) != nil
    case .string:
      guard let needle = element.string else {
        throw RuntimeError("'in <string>' needs a string on the left, got \(element.typeNameWithArticle)")
      }
      return needle.isEmpty || (container.string ?? "").contains(needle)
    case .range:
      guard element.tag == .int else { return false }
      let r = container.rangeObject, v = element.int
      guard r.count > 0 else { return false }
      let inBounds = r.step > 0 ? (v >= r.start && v < r.stop) : (v <= r.start && v > r.stop)
      return inBounds && (v - r.start) % r.step == 0
    default:
      throw RuntimeError("cannot test membership in \(container.typeNameWithArticle)")
    }
  }

  func asRuntimeError(_ error: Error) -> RuntimeError {
    if let e = error as? RuntimeError { return e }
    return RuntimeError(String(describing: error))
  }
}

/// Bitwise operators, on ints (two's complement, as Python's on 64-bit values) and, for `& | ^`,
/// on bools (a bool result). A shift whose result does not fit 64 bits is an overflow error.
extension VM {
  @inline(never)
  func bitwise(_ op: Opcode, _ x: Value, _ y: Value) throws(RuntimeError) -> Value {
    if op == .bitNot {
      guard x.tag == .int else { throw RuntimeError("~ needs an int, got \(x.typeNameWithArticle)") }
      return Value(~x.int)
    }
    let symbol: String
    switch op {
    case .bitAnd: symbol = "&"
    case .bitOr: symbol = "|"
    case .bitXor: symbol = "^"
    case .shiftLeft: symbol = "<<"
    default: symbol = ">>"
    }
    if x.tag == .bool && y.tag == .bool && op != .shiftLeft && op != .shiftRight {
      let a = x.bool, b = y.bool
      return Value(op == .bitAnd ? a && b : op == .bitOr ? a || b : a != b)
    }
    guard x.tag == .int && y.tag == .int else {
      throw RuntimeError("\(symbol) needs two ints, got \(x.typeNameWithArticle) and \(y.typeNameWithArticle)",
                         notes: x.tag == .bool || y.tag == .bool ? ["for logic, use 'and', 'or' and 'not'"] : [])
    }
    let a = x.int, b = y.int
    switch op {
    case .bitAnd: return Value(a & b)
    case .bitOr: return Value(a | b)
    case .bitXor: return Value(a ^ b)
    case .shiftLeft:
      if b < 0 { throw RuntimeError("negative shift count \(b)") }
      if a == 0 { return Value(0) }
      // Exact or an error: the result must shift back to `a`.
      let r = b >= 64 ? 0 : a << b
      if b >= 64 || r >> b != a { throw overflow("<<", x, y) }
      return Value(r)
    default:
      if b < 0 { throw RuntimeError("negative shift count \(b)") }
      return Value(a >> min(b, 63))
    }
  }
}
