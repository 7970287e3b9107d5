/// A dense n-dimensional array of `Float` or `Double` that records how it was computed, so
/// that ``gradients(of:wrt:seed:createGraph:)`` can differentiate through it.
///
/// Tensors are reference types with value semantics: once built they never change, and every
/// operation returns a new tensor. Storage is contiguous and row-major; a scalar has shape `[]`.
///
/// A tensor takes part in differentiation when it is a *variable* (``variable()`` or
/// `requiresGrad: true`) or was computed from one; such tensors remember their inputs and a
/// vector-Jacobian product written in tensor operations (so gradients are differentiable too).
///
/// ```swift
/// let w = try Tensor([1, 2, 3, 4], shape: [2, 2], dtype: .float64).variable()
/// let loss = try (w * w).sum()
/// let g = try gradients(of: loss, wrt: [w])[0]   // 2w
/// ```
public final class Tensor {
  /// The size of each axis; `[]` for a scalar.
  public let shape: [Int]
  let storage: Storage
  /// Whether gradients flow to or through this tensor.
  public let requiresGrad: Bool
  /// How this tensor was computed (nil for constants and variables). Only `deinit` mutates it.
  private(set) var gradFn: GradFn?

  init(shape: [Int], storage: Storage, requiresGrad: Bool = false, gradFn: GradFn? = nil) {
    precondition(Shape.count(shape) == storage.count, "storage/shape invariant")
    self.shape = shape
    self.storage = storage
    self.requiresGrad = requiresGrad || gradFn != nil
    self.gradFn = gradFn
  }

  /// Releases a long recorded graph iteratively: a chain of 10⁵ ops would otherwise free itself
  /// by recursion (one stack frame per node) and overflow the stack.
  deinit {
    guard var fn = gradFn else { return }
    gradFn = nil
    guard isKnownUniquelyReferenced(&fn) else { return }
    var pending = fn.takeInputs()
    while var t = pending.popLast() {
      guard isKnownUniquelyReferenced(&t), var inner = t.gradFn else { continue }
      t.gradFn = nil
      if isKnownUniquelyReferenced(&inner) { pending.append(contentsOf: inner.takeInputs()) }
    }
  }

  /// The element type.
  public var dtype: DType { storage.dtype }
  /// The number of axes.
  public var rank: Int { shape.count }
  /// The number of elements (1 for a scalar, 0 when any axis is 0).
  public var count: Int { storage.count }
  /// True when this tensor has no recorded computation and does not require gradients.
  public var isConstant: Bool { !requiresGrad }

  // MARK: Construction

  /// A tensor holding `values` (row-major) with the given shape, in `dtype` (float32 by default).
  ///
  /// - Throws: `TensorError.invalidShape` when a dimension is negative or the number of values
  ///   is not the product of `shape`.
  public convenience init(_ values: [Double], shape: [Int], dtype: DType = .float32,
                          requiresGrad: Bool = false) throws {
    try Shape.validate(shape, "tensor")
    guard Shape.count(shape) == values.count else {
      throw TensorError(.invalidShape, "tensor",
                        "\(values.count) values do not fill shape \(shape)")
    }
    self.init(shape: shape, storage: .from(values, dtype: dtype), requiresGrad: requiresGrad)
  }

  /// A float32 tensor holding `values` (row-major) with the given shape.
  ///
  /// - Throws: `TensorError.invalidShape` when the count does not match `shape`.
  public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) throws {
    try Shape.validate(shape, "tensor")
    guard Shape.count(shape) == values.count else {
      throw TensorError(.invalidShape, "tensor",
                        "\(values.count) values do not fill shape \(shape)")
    }
    self.init(shape: shape, storage: .float32(values), requiresGrad: requiresGrad)
  }

  /// A one-dimensional tensor of `values`.
  public convenience init(_ values: [Double], dtype: DType = .float32) {
    self.init(shape: [values.count], storage: .from(values, dtype: dtype))
  }

  /// A rank-0 tensor holding `value`.
  public convenience init(scalar value: Double, dtype: DType = .float32) {
    self.init(shape: [], storage: .filled(value, count: 1, dtype: dtype))
  }

  /// A tensor of `shape` with every element equal to `value`.
  ///
  /// - Throws: `TensorError.invalidShape` for a negative dimension.
  public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) throws -> Tensor {
    try Shape.validate(shape, "full")
    return Tensor(shape: shape, storage: .filled(value, count: Shape.count(shape), dtype: dtype))
  }

  /// Zeros of `shape`. - Throws: `TensorError.invalidShape` for a negative dimension or more
  /// than 2³¹ elements.
  public static func zeros(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
    try Shape.validate(shape, "zeros")
    return try full(shape, 0, dtype: dtype)
  }

  /// Ones of `shape`. - Throws: `TensorError.invalidShape` for a negative dimension.
  public static func ones(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
    try Shape.validate(shape, "ones")
    return try full(shape, 1, dtype: dtype)
  }

  /// Zeros with the shape and dtype of `other` (never requires grad).
  public static func zeros(like other: Tensor) -> Tensor {
    Tensor(shape: other.shape, storage: .filled(0, count: other.count, dtype: other.dtype))
  }

  /// Ones with the shape and dtype of `other`.
  public static func ones(like other: Tensor) -> Tensor {
    Tensor(shape: other.shape, storage: .filled(1, count: other.count, dtype: other.dtype))
  }

  /// `[start, start + step, ...]` up to but excluding `stop`, as numpy's `arange`.
  ///
  /// - Throws: `TensorError.invalidArgument` when `step` is 0 or not finite, or the bounds are
  ///   not finite.
  public static func arange(_ start: Double, _ stop: Double, step: Double = 1,
                            dtype: DType = .float32) throws -> Tensor {
    guard step != 0, step.isFinite, start.isFinite, stop.isFinite else {
      throw TensorError(.invalidArgument, "arange",
                        "start \(start), stop \(stop), step \(step) do not define a range")
    }
    let n = Swift.max(0, Int(((stop - start) / step).rounded(.up)))
    guard n <= 1 << 40 else { throw TensorError(.invalidArgument, "arange", "\(n) elements is too many") }
    return Tensor(shape: [n], storage: .from((0..<n).map { start + Double($0) * step }, dtype: dtype))
  }

  /// The `n × n` identity matrix. - Throws: `TensorError.invalidShape` when `n < 0`.
  public static func eye(_ n: Int, dtype: DType = .float32) throws -> Tensor {
    try Shape.validate([n], "eye")
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    return Tensor(shape: [n, n], storage: .from(v, dtype: dtype))
  }

  // MARK: Autodiff marking

  /// This tensor's values as a differentiation variable (a leaf that requires grad).
  public func variable() -> Tensor {
    Tensor(shape: shape, storage: storage, requiresGrad: true)
  }

  /// This tensor's values with no recorded computation (a stop-gradient).
  public func detached() -> Tensor {
    if !requiresGrad { return self }
    return Tensor(shape: shape, storage: storage)
  }

  // MARK: Reading

  /// All elements in row-major order, as `Double` (exact for both dtypes).
  public func toArray() -> [Double] { storage.doubles }

  /// All elements in row-major order, as `Float` (rounded for float64).
  public func toFloatArray() -> [Float] {
    switch storage {
    case .float32(let a): return a
    case .float64(let a): return a.map { Float($0) }
    }
  }

  /// The single element of a one-element tensor, or `nil` when `count != 1`.
  public var scalar: Double? {
    guard count == 1 else { return nil }
    switch storage {
    case .float32(let a): return Double(a[0])
    case .float64(let a): return a[0]
    }
  }

  /// The single element of a one-element tensor.
  ///
  /// - Throws: `TensorError.invalidShape` when the tensor does not have exactly one element.
  public func item() throws -> Double {
    guard let s = scalar else {
      throw TensorError(.invalidShape, "item", "shape \(shape) does not hold exactly one element")
    }
    return s
  }

  /// The element at a full multi-index (negative indices count from the end).
  ///
  /// - Throws: `TensorError.indexOutOfRange` for a wrong number of indices or an index out of range.
  public func element(at index: [Int]) throws -> Double {
    guard index.count == rank else {
      throw TensorError(.indexOutOfRange, "element",
                        "\(index.count) indices for shape \(shape)")
    }
    var off = 0
    let st = Shape.strides(shape)
    for (d, i0) in index.enumerated() {
      let i = i0 < 0 ? i0 + shape[d] : i0
      guard i >= 0, i < shape[d] else {
        throw TensorError(.indexOutOfRange, "element",
                          "index \(i0) is out of range for axis \(d) of shape \(shape)")
      }
      off += i * st[d]
    }
    switch storage {
    case .float32(let a): return Double(a[off])
    case .float64(let a): return a[off]
    }
  }

  /// This tensor converted to `dtype` (differentiable; identity when the dtype already matches).
  public func to(_ dtype: DType) -> Tensor {
    if dtype == self.dtype { return self }
    let src = self.dtype
    return Tensor.record(storage.converted(to: dtype), shape, "cast", [self]) { c in
      [c.grad.to(src)]
    }
  }
}

extension Tensor: CustomStringConvertible {
  /// A numpy-like rendering, e.g. `[[1, 2], [3, 4]]`; tensors with more than 1000 elements
  /// show the first and last three entries of each axis around `...`.
  public var description: String {
    let v = toArray()
    let summarise = v.count > 1000
    func fmt(_ x: Double) -> String {
      if x.isNaN { return "nan" }
      if x.isInfinite { return x > 0 ? "inf" : "-inf" }
      if x == x.rounded(), Swift.abs(x) < 1e15 { return (x.sign == .minus && x == 0 ? "-" : "") + String(Int64(x)) }
      return dtype == .float32 ? "\(Float(x))" : "\(x)"
    }
    let st = Shape.strides(shape)
    func render(_ axis: Int, _ off: Int) -> String {
      if axis == shape.count { return fmt(v[off]) }
      let n = shape[axis]
      var parts: [String] = []
      if summarise && n > 6 {
        for i in 0..<3 { parts.append(render(axis + 1, off + i * st[axis])) }
        parts.append("...")
        for i in (n - 3)..<n { parts.append(render(axis + 1, off + i * st[axis])) }
      } else {
        for i in 0..<n { parts.append(render(axis + 1, off + i * st[axis])) }
      }
      let sep = axis == shape.count - 1 ? ", " : ",\n" + String(repeating: " ", count: axis + 1)
      return "[" + parts.joined(separator: sep) + "]"
    }
    if count == 0 { return "[] (shape \(shape), \(dtype))" }
    return render(0, 0)
  }
}

/// Tensors may be shared across threads: every stored property is immutable after `init`, and
/// `gradFn` is only cleared in `deinit`, when no other thread can hold the tensor.
extension Tensor: @unchecked Sendable {}
