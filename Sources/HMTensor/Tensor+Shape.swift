/// Shape manipulation: reshape, broadcast, transpose/permute, slicing, integer indexing,
/// concatenation and stacking. Views are materialised (tensors are always contiguous); each op's
/// derivative is its adjoint view op, so these compose to any order.

/// One axis of a numpy-style slice `start:stop:step` (negative indices count from the end;
/// `nil` bounds mean "from the beginning/to the end" in the step's direction).
public struct SliceSpec: Equatable, Sendable {
  /// First index (nil: the start in the step's direction).
  public var start: Int?
  /// Index one past the last (nil: the end in the step's direction).
  public var stop: Int?
  /// Distance between taken indices; negative walks backwards; never 0.
  public var step: Int

  /// `start:stop:step`, as in numpy.
  public init(_ start: Int? = nil, _ stop: Int? = nil, step: Int = 1) {
    self.start = start
    self.stop = stop
    self.step = step
  }

  /// The whole axis (`:`).
  public static let all = SliceSpec()

  /// (first index, element count) of this slice on an axis of length `n`, as numpy.
  func resolve(length n: Int, axis: Int, _ op: String) throws -> (start: Int, count: Int) {
    guard step != 0 else { throw TensorError(.invalidArgument, op, "slice step on axis \(axis) is 0") }
    if step > 0 {
      var lo = start ?? 0, hi = stop ?? n
      if lo < 0 { lo += n }
      if hi < 0 { hi += n }
      lo = Swift.min(Swift.max(lo, 0), n)
      hi = Swift.min(Swift.max(hi, 0), n)
      return (lo, hi > lo ? (hi - lo + step - 1) / step : 0)
    } else {
      var lo = start ?? (n - 1), hi = stop ?? -1 - n
      if lo < 0 { lo += n }
      if hi < 0 { hi += n }
      lo = Swift.min(Swift.max(lo, -1), n - 1)
      hi = Swift.min(Swift.max(hi, -1), n - 1)
      let s = -step
      return (lo, lo > hi ? (lo - hi + s - 1) / s : 0)
    }
  }
}

/// A strided window (offset, strides, shape) onto a contiguous tensor of `sourceShape`,
/// with no two positions overlapping.
struct StridedView {
  var sourceShape: [Int]
  var offset: Int
  var strides: [Int]
  var shape: [Int]
}

extension Tensor {
  // MARK: Primitive views

  /// The elements of `view` as a new contiguous tensor.
  func gatherView(_ view: StridedView, _ name: String) -> Tensor {
    let storage: Storage
    switch self.storage {
    case .float32(let a): storage = .float32(stridedCopy(a, offset: view.offset, strides: view.strides, shape: view.shape))
    case .float64(let a): storage = .float64(stridedCopy(a, offset: view.offset, strides: view.strides, shape: view.shape))
    }
    return Tensor.record(storage, view.shape, name, [self]) { c in
      [c.grad.scatterView(view, name + "_grad")]
    }
  }

  /// A zero tensor of `view.sourceShape` with this tensor written into `view` (the adjoint
  /// of ``gatherView``).
  func scatterView(_ view: StridedView, _ name: String) -> Tensor {
    let n = Shape.count(view.sourceShape)
    let storage: Storage
    switch self.storage {
    case .float32(let a): storage = .float32(stridedScatter(a, count: n, offset: view.offset, strides: view.strides, shape: view.shape))
    case .float64(let a): storage = .float64(stridedScatter(a, count: n, offset: view.offset, strides: view.strides, shape: view.shape))
    }
    return Tensor.record(storage, view.sourceShape, name, [self]) { c in
      [c.grad.gatherView(view, name)]
    }
  }

  // MARK: Reshape

  /// The same elements with a new shape; one dimension may be -1 (inferred).
  ///
  /// - Throws: `TensorError.invalidShape` when the element counts differ, more than one
  ///   dimension is -1, or a dimension is below -1.
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    var shape = newShape
    try Shape.validate(newShape.map { $0 == -1 ? 1 : $0 }, "reshape")
    let unknown = shape.indices.filter { shape[$0] == -1 }
    guard unknown.count <= 1, shape.allSatisfy({ $0 >= -1 }) else {
      throw TensorError(.invalidShape, "reshape", "cannot reshape \(self.shape) to \(newShape)")
    }
    if let u = unknown.first {
      let known = shape.enumerated().filter { $0.offset != u }.reduce(1) { $0 * $1.element }
      guard known > 0, count % known == 0 else {
        throw TensorError(.invalidShape, "reshape", "cannot reshape \(self.shape) to \(newShape)")
      }
      shape[u] = count / known
    }
    guard Shape.count(shape) == count else {
      throw TensorError(.invalidShape, "reshape", "cannot reshape \(self.shape) to \(newShape)")
    }
    return reshapedUnchecked(shape)
  }

  /// Reshape to a shape known to have the same element count.
  func reshapedUnchecked(_ shape: [Int]) -> Tensor {
    if shape == self.shape { return self }
    let old = self.shape
    return Tensor.record(storage, shape, "reshape", [self]) { c in [c.grad.reshapedUnchecked(old)] }
  }

  /// The tensor flattened to one dimension.
  public func flattened() -> Tensor { reshapedUnchecked([count]) }

  /// A new axis of length 1 inserted at `axis` (which may be `rank`, or negative).
  /// - Throws: `TensorError.invalidAxis`.
  public func unsqueezed(_ axis: Int) throws -> Tensor {
    let a = try Shape.axis(axis, rank: rank + 1, "unsqueeze")
    var s = shape
    s.insert(1, at: a)
    return reshapedUnchecked(s)
  }

  /// The tensor without axis `axis`, which must have length 1.
  /// - Throws: `TensorError.invalidAxis` when the axis is out of range or not of length 1.
  public func squeezed(_ axis: Int) throws -> Tensor {
    let a = try Shape.axis(axis, rank: rank, "squeeze")
    guard shape[a] == 1 else {
      throw TensorError(.invalidAxis, "squeeze", "axis \(axis) of shape \(shape) does not have length 1")
    }
    var s = shape
    s.remove(at: a)
    return reshapedUnchecked(s)
  }

  // MARK: Broadcast

  /// The tensor repeated along broadcast axes to `target` (numpy's `broadcast_to`).
  /// Its gradient sums over the broadcast axes.
  ///
  /// - Throws: `TensorError.shapeMismatch` when `shape` does not broadcast to `target`.
  public func broadcast(to target: [Int]) throws -> Tensor {
    if target == shape { return self }
    guard Shape.broadcast(shape, target) == target else {
      throw TensorError.shapes("broadcast_to", shape, target, "cannot broadcast")
    }
    try Shape.validate(target, "broadcast_to")
    let strides = Shape.broadcastStrides(shape, to: target)
    let storage: Storage
    switch self.storage {
    case .float32(let a): storage = .float32(stridedCopy(a, offset: 0, strides: strides, shape: target))
    case .float64(let a): storage = .float64(stridedCopy(a, offset: 0, strides: strides, shape: target))
    }
    let own = shape
    return Tensor.record(storage, target, "broadcast_to", [self]) { c in [try c.grad.sum(toShape: own)] }
  }

  // MARK: Transpose

  /// The axes permuted: result axis `i` is this tensor's axis `axes[i]`.
  /// - Throws: `TensorError.invalidAxis` unless `axes` is a permutation of `0..<rank`
  ///   (negative axes allowed).
  public func permuted(_ axes: [Int]) throws -> Tensor {
    guard axes.count == rank else {
      throw TensorError(.invalidAxis, "permute", "axes \(axes) do not match rank \(rank)")
    }
    let perm = try axes.map { try Shape.axis($0, rank: rank, "permute") }
    guard Set(perm).count == rank else {
      throw TensorError(.invalidAxis, "permute", "axes \(axes) are not a permutation")
    }
    if perm == Array(0..<rank) { return self }
    let st = Shape.strides(shape)
    let view = StridedView(sourceShape: shape, offset: 0, strides: perm.map { st[$0] },
                           shape: perm.map { shape[$0] })
    return gatherView(view, "permute")
  }

  /// Axes `a` and `b` swapped. - Throws: `TensorError.invalidAxis`.
  public func transposed(_ a: Int, _ b: Int) throws -> Tensor {
    let x = try Shape.axis(a, rank: rank, "transpose"), y = try Shape.axis(b, rank: rank, "transpose")
    var perm = Array(0..<rank)
    perm.swapAt(x, y)
    return try permuted(perm)
  }

  /// The last two axes swapped (the matrix transpose, batched).
  /// - Throws: `TensorError.invalidShape` for rank below 2.
  public func transposed() throws -> Tensor {
    guard rank >= 2 else {
      throw TensorError(.invalidShape, "transpose", "shape \(shape) has fewer than 2 axes")
    }
    return try transposed(rank - 2, rank - 1)
  }

  // MARK: Slicing and indexing

  /// A numpy-style slice: `specs[i]` applies to axis `i`; missing trailing axes are kept whole.
  ///
  /// ```swift
  /// x.slice([SliceSpec(1, nil), SliceSpec(nil, nil, step: -1)])   // x[1:, ::-1]
  /// ```
  /// - Throws: `TensorError.indexOutOfRange` for more specs than axes,
  ///   `TensorError.invalidArgument` for a zero step.
  public func slice(_ specs: [SliceSpec]) throws -> Tensor {
    guard specs.count <= rank else {
      throw TensorError(.indexOutOfRange, "slice", "\(specs.count) slices for shape \(shape)")
    }
    let st = Shape.strides(shape)
    var offset = 0, strides = st, outShape = shape
    for (d, spec) in specs.enumerated() {
      let (start, n) = try spec.resolve(length: shape[d], axis: d, "slice")
      outShape[d] = n
      strides[d] = st[d] * spec.step
      if n > 0 { offset += start * st[d] }
    }
    if outShape == shape && strides == st { return self }
    return gatherView(StridedView(sourceShape: shape, offset: offset, strides: strides, shape: outShape), "slice")
  }

  /// The slice `start..<stop` along one axis.
  /// - Throws: as ``slice(_:)``, and `TensorError.invalidAxis`.
  public func slice(axis: Int, _ start: Int?, _ stop: Int?, step: Int = 1) throws -> Tensor {
    let a = try Shape.axis(axis, rank: rank, "slice")
    var specs = [SliceSpec](repeating: .all, count: a + 1)
    specs[a] = SliceSpec(start, stop, step: step)
    return try slice(specs)
  }

  /// The sub-tensor at position `index` of `axis`, with that axis removed (numpy's `x[i]`).
  /// - Throws: `TensorError.indexOutOfRange` when `index` is outside `-n..<n`,
  ///   `TensorError.invalidAxis` for a bad axis.
  public func index(_ index: Int, axis: Int = 0) throws -> Tensor {
    let a = try Shape.axis(axis, rank: rank, "index")
    let n = shape[a]
    guard index >= -n, index < n else {
      throw TensorError(.indexOutOfRange, "index",
                        "index \(index) is out of range for axis \(axis) with size \(n)")
    }
    let i = index < 0 ? index + n : index
    let s = try slice(axis: a, i, i + 1)
    var out = shape
    out.remove(at: a)
    return s.reshapedUnchecked(out)
  }

  /// `x[i]` along the first axis. - Throws: `TensorError.indexOutOfRange`.
  public subscript(_ i: Int) -> Tensor {
    get throws { try index(i, axis: 0) }
  }

  // MARK: Concatenate and stack

  /// The tensors joined along an existing `axis`; all other axes must agree.
  /// Mixed dtypes promote to float64.
  ///
  /// - Throws: `TensorError.invalidArgument` for an empty list, `TensorError.shapeMismatch`
  ///   naming the first disagreeing shapes, `TensorError.invalidAxis`.
  public static func concat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError(.invalidArgument, "concat", "needs at least one tensor")
    }
    let a = try Shape.axis(axis, rank: first.rank, "concat")
    let dtype = tensors.reduce(first.dtype) { $0.promoted(with: $1.dtype) }
    for t in tensors.dropFirst() {
      var x = t.shape, y = first.shape
      guard x.count == y.count else {
        throw TensorError.shapes("concat", first.shape, t.shape, "have different ranks")
      }
      x[a] = 0; y[a] = 0
      guard x == y else { throw TensorError.shapes("concat", first.shape, t.shape, "differ off axis \(axis)") }
    }
    let parts = tensors.map { $0.to(dtype) }
    if parts.count == 1 { return parts[0] }
    var outShape = first.shape
    outShape[a] = parts.reduce(0) { $0 + $1.shape[a] }
    let outer = first.shape[..<a].reduce(1, *)
    let inner = first.shape[(a + 1)...].reduce(1, *)
    let lengths = parts.map { $0.shape[a] }
    let storage: Storage
    switch dtype {
    case .float32: storage = .float32(concatKernel(parts.map { $0.typed(Float.self) }, lengths, outer, inner))
    case .float64: storage = .float64(concatKernel(parts.map { $0.typed(Double.self) }, lengths, outer, inner))
    }
    return record(storage, outShape, "concat", parts) { c in
      var grads: [Tensor?] = []
      var start = 0
      for (k, len) in lengths.enumerated() {
        grads.append(c.needs[k] ? try c.grad.slice(axis: a, start, start + len) : nil)
        start += len
      }
      return grads
    }
  }

  /// The tensors (all of one shape) joined along a new `axis`.
  /// - Throws: `TensorError.shapeMismatch` naming two different shapes, `TensorError.invalidAxis`,
  ///   `TensorError.invalidArgument` for an empty list.
  public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError(.invalidArgument, "stack", "needs at least one tensor")
    }
    for t in tensors where t.shape != first.shape {
      throw TensorError.shapes("stack", first.shape, t.shape, "differ")
    }
    let a = try Shape.axis(axis, rank: first.rank + 1, "stack")
    return try concat(tensors.map { try $0.unsqueezed(a) }, axis: a)
  }

  /// The storage as a typed array (the dtype must match: internal use after promotion).
  func typed<T: TensorScalar>(_: T.Type) -> [T] {
    switch storage {
    case .float32(let a):
      precondition(T.dtype == .float32, "typed: dtype mismatch")
      return unsafeBitCast(a, to: [T].self)
    case .float64(let a):
      precondition(T.dtype == .float64, "typed: dtype mismatch")
      return unsafeBitCast(a, to: [T].self)
    }
  }
}

func concatKernel<T: TensorScalar>(_ parts: [[T]], _ lengths: [Int], _ outer: Int, _ inner: Int) -> [T] {
  let total = lengths.reduce(0, +) * inner
  return makeArray(count: outer * total) { (o: UnsafeMutablePointer<T>) in
    var col = 0
    for (p, len) in zip(parts, lengths) {
      let w = len * inner
      if w == 0 { continue }
      p.withUnsafeBufferPointer { pb in
        for r in 0..<outer {
          (o + r * total + col).update(from: pb.baseAddress! + r * w, count: w)
        }
      }
      col += w
    }
  }
}
