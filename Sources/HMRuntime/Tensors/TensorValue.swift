import HMTensor

/// A tensor as an hm value.
public final class TensorBox: NativeObject {
  public let tensor: Tensor
  public init(_ tensor: Tensor) { self.tensor = tensor }
  public var typeName: String { "tensor" }
  public func describe(width: Int) -> String { tensor.description }
}

extension VM {
  func makeTensor(_ t: Tensor) -> Value { heap.makeObject(TensorBox(t)) }
}

/// Conversions between hm values and tensors.
enum TensorConversion {
  static func tensor(of v: Value) -> Tensor? {
    guard v.tag == .object else { return nil }
    return (v.nativeObject.payload as? TensorBox)?.tensor
  }

  /// A tensor from a tensor, a number, or nested lists of numbers (rectangular).
  static func make(_ v: Value, dtype: DType = .float32, what: String = "tensor") throws -> Tensor {
    if let t = tensor(of: v) { return t.dtype == dtype ? t : t.to(dtype) }
    if v.isNumber { return Tensor(scalar: v.number, dtype: dtype) }
    var shape: [Int] = []
    var flat: [Double] = []
    func walk(_ x: Value, depth: Int) throws {
      if depth > 32 { throw RuntimeError("\(what): nested too deeply") }
      if x.isNumber {
        if depth != shape.count { throw RuntimeError("\(what): ragged nesting (a number where a list was expected)") }
        flat.append(x.number); return
      }
      if x.tag == .bool { flat.append(x.bool ? 1 : 0); return }
      guard x.tag == .list else { throw RuntimeError("\(what): expected numbers or lists of numbers, got \(x.typeNameWithArticle)") }
      let items = x.listObject.items
      if depth == shape.count { shape.append(items.count) }
      else if shape[depth] != items.count {
        throw RuntimeError("\(what): ragged lists (length \(items.count) where \(shape[depth]) was expected)")
      }
      for item in items { try walk(item, depth: depth + 1) }
    }
    try walk(v, depth: 0)
    if flat.isEmpty && shape.count == 1 { return try Tensor([], shape: [0], dtype: dtype) }
    return try Tensor(flat, shape: shape, dtype: dtype)
  }

  /// A tensor operand for an operator with `other`: numbers take the other's dtype.
  static func operand(_ v: Value, like other: Tensor) throws -> Tensor {
    if let t = tensor(of: v) { return t }
    if v.isNumber { return Tensor(scalar: v.number, dtype: other.dtype) }
    if v.tag == .list { return try make(v, dtype: other.dtype) }
    throw RuntimeError("cannot combine a tensor with \(v.typeNameWithArticle)")
  }

  static func dtype(_ name: String) throws -> DType {
    guard let d = DType(rawValue: name) else { throw RuntimeError("dtype must be \"float32\" or \"float64\", got \(quote(name))") }
    return d
  }

  /// A shape from an int or a list of ints.
  static func shape(_ v: Value, _ what: String) throws -> [Int] {
    if v.tag == .int { return [v.int] }
    guard v.tag == .list else { throw RuntimeError("\(what): shape must be an int or a list of ints") }
    return try v.listObject.items.map {
      guard $0.tag == .int else { throw RuntimeError("\(what): shape must be a list of ints") }
      return $0.int
    }
  }

  /// Nested lists of floats (or a float for a scalar).
  static func toValue(_ t: Tensor, _ vm: VM) -> Value {
    let values = t.toArray()
    if t.rank == 0 { return Value(values.first ?? 0) }
    func build(_ axis: Int, _ offset: Int) -> Value {
      let n = t.shape[axis]
      if axis == t.rank - 1 { return vm.heap.makeList((0..<n).map { Value(values[offset + $0]) }) }
      let stride = t.shape[(axis + 1)...].reduce(1, *)
      return vm.heap.makeList((0..<n).map { build(axis + 1, offset + $0 * stride) })
    }
    return build(0, 0)
  }
}
