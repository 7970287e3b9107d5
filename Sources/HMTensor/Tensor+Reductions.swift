/// Reductions over axes: sum, mean, max, min, logsumexp; softmax and log-softmax.
///
/// Axes may be negative; `nil` reduces over all axes. With `keepdims` the reduced axes stay as
/// length 1 (so the result broadcasts against the input). Sums accumulate sequentially in a
/// fixed order, so results never depend on the thread count.

enum ReduceOp { case sum, max, min }

extension Tensor {
  /// The keepdims shape after reducing `axes` (normalised, sorted).
  static func keptShape(_ shape: [Int], _ axes: [Int]) -> [Int] {
    var s = shape
    for a in axes { s[a] = 1 }
    return s
  }

  static func droppedShape(_ shape: [Int], _ axes: [Int]) -> [Int] {
    shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
  }

  func reduceStorage(_ op: ReduceOp, _ axes: [Int]) -> Storage {
    switch storage {
    case .float32(let a): return .float32(reduceKernel(op, a, shape, axes))
    case .float64(let a): return .float64(reduceKernel(op, a, shape, axes))
    }
  }

  /// The sum over `axes` (all when nil). An empty reduction gives 0.
  /// - Throws: `TensorError.invalidAxis` for an axis out of range or repeated.
  /// - Complexity: O(count).
  public func sum(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    let ax = try Shape.axes(axes, rank: rank, "sum")
    return sumNormalised(ax, keepdims: keepdims)
  }

  /// The sum over one axis. - Throws: `TensorError.invalidAxis`.
  public func sum(axis: Int, keepdims: Bool = false) throws -> Tensor {
    try sum(axes: [axis], keepdims: keepdims)
  }

  func sumNormalised(_ axes: [Int], keepdims: Bool) -> Tensor {
    let kept = Tensor.keptShape(shape, axes)
    let outShape = keepdims ? kept : Tensor.droppedShape(shape, axes)
    if axes.isEmpty { return self }
    let inShape = shape
    return Tensor.record(reduceStorage(.sum, axes), outShape, "sum", [self]) { c in
      [try c.grad.reshapedUnchecked(kept).broadcast(to: inShape)]
    }
  }

  /// This tensor summed down to `target`, a shape that broadcasts to `shape` (the adjoint of
  /// broadcasting). - Throws: `TensorError.shapeMismatch` when `target` does not broadcast to
  /// this shape.
  public func sum(toShape target: [Int]) throws -> Tensor {
    if target == shape { return self }
    guard target.count <= rank, Shape.broadcast(target, shape) == shape else {
      throw TensorError.shapes("sum_to", shape, target, "cannot be reduced by broadcasting")
    }
    let lead = rank - target.count
    var axes = Array(0..<lead)
    for i in 0..<target.count where target[i] == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
    return sumNormalised(axes, keepdims: true).reshapedUnchecked(target)
  }

  /// The arithmetic mean over `axes` (all when nil); NaN for an empty reduction.
  /// - Throws: `TensorError.invalidAxis`.
  public func mean(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    let ax = try Shape.axes(axes, rank: rank, "mean")
    let n = ax.reduce(1) { $0 * shape[$1] }
    return sumNormalised(ax, keepdims: keepdims) * (n == 0 ? Double.nan : 1.0 / Double(n))
  }

  /// The mean over one axis. - Throws: `TensorError.invalidAxis`.
  public func mean(axis: Int, keepdims: Bool = false) throws -> Tensor {
    try mean(axes: [axis], keepdims: keepdims)
  }

  /// The maximum over `axes` (all when nil); NaN if any reduced element is NaN. The gradient
  /// is shared equally among tied maxima.
  /// - Throws: `TensorError.invalidAxis`; `TensorError.invalidShape` for an empty reduction.
  public func max(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    try extremum(.max, "max", axes, keepdims)
  }

  /// The maximum over one axis. - Throws: as ``max(axes:keepdims:)``.
  public func max(axis: Int, keepdims: Bool = false) throws -> Tensor {
    try max(axes: [axis], keepdims: keepdims)
  }

  /// The minimum over `axes` (all when nil). - Throws: as ``max(axes:keepdims:)``.
  public func min(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    try extremum(.min, "min", axes, keepdims)
  }

  func extremum(_ op: ReduceOp, _ name: String, _ axes: [Int]?, _ keepdims: Bool) throws -> Tensor {
    let ax = try Shape.axes(axes, rank: rank, name)
    guard ax.allSatisfy({ shape[$0] > 0 }) else {
      throw TensorError(.invalidShape, name, "cannot reduce shape \(shape) over an empty axis")
    }
    let kept = Tensor.keptShape(shape, ax)
    let outShape = keepdims ? kept : Tensor.droppedShape(shape, ax)
    if ax.isEmpty { return self }
    return Tensor.record(reduceStorage(op, ax), outShape, name, [self]) { c in
      let x = c.inputs[0].detached()
      let best = c.output.detached().reshapedUnchecked(kept)
      let mask = try x.equal(best)
      let ties = mask.sumNormalised(ax, keepdims: true)
      return [try (c.grad.reshapedUnchecked(kept) * (mask / ties))]
    }
  }

  /// log Σ exp(x) over `axes`, computed stably by shifting by the (constant) maximum.
  /// An empty reduction gives -inf; all -inf gives -inf; +inf gives +inf.
  /// - Throws: `TensorError.invalidAxis`.
  public func logsumexp(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    let ax = try Shape.axes(axes, rank: rank, "logsumexp")
    let kept = Tensor.keptShape(shape, ax)
    let shift: Tensor
    if ax.allSatisfy({ shape[$0] > 0 }) && count > 0 {
      shift = try detached().max(axes: ax, keepdims: true).constantUnary(.finiteOrZero)
    } else {
      shift = try Tensor.zeros(kept, dtype: dtype)
    }
    let lse = try (self - shift).exp().sumNormalised(ax, keepdims: true).log() + shift
    return keepdims ? lse : lse.reshapedUnchecked(Tensor.droppedShape(shape, ax))
  }

  /// logsumexp over one axis. - Throws: `TensorError.invalidAxis`.
  public func logsumexp(axis: Int, keepdims: Bool = false) throws -> Tensor {
    try logsumexp(axes: [axis], keepdims: keepdims)
  }

  /// exp(x) / Σ exp(x) along `axis` (default: the last). - Throws: `TensorError.invalidAxis`.
  public func softmax(axis: Int = -1) throws -> Tensor {
    let a = try Shape.axis(axis, rank: rank, "softmax")
    return try (self - logsumexp(axis: a, keepdims: true)).exp()
  }

  /// x − logsumexp(x) along `axis` (default: the last), stable for large |x|.
  /// - Throws: `TensorError.invalidAxis`.
  public func logSoftmax(axis: Int = -1) throws -> Tensor {
    let a = try Shape.axis(axis, rank: rank, "log_softmax")
    return try self - logsumexp(axis: a, keepdims: true)
  }
}

/// Reduces `a` (of `shape`) over sorted `axes` into the keepdims layout, in a fixed order.
func reduceKernel<T: TensorScalar>(_ op: ReduceOp, _ a: [T], _ shape: [Int], _ axes: [Int]) -> [T] {
  let kept = Tensor.keptShape(shape, axes)
  let outCount = Shape.count(kept)
  let initial: T = op == .sum ? 0 : (op == .max ? -.infinity : .infinity)
  var out = [T](repeating: initial, count: outCount)
  if a.isEmpty || outCount == 0 { return out }
  var outStrides = Shape.strides(kept)
  for ax in axes { outStrides[ax] = 0 }
  let loop = StridedLoop(shape: shape, strides: [Shape.strides(shape), outStrides])
  let si = loop.innerStride(0), so = loop.innerStride(1)
  a.withUnsafeBufferPointer { ab in
    out.withUnsafeMutableBufferPointer { ob in
      let pa = ab.baseAddress!, po = ob.baseAddress!
      loop.forEachRow { ao, oo, _, n in
        let p = pa + ao, q = po + oo
        switch op {
        case .sum:
          if so == 0 {
            q[0] += rowSum(p, n, si)
          } else if so == 1 && si == 1 {
            for i in 0..<n { q[i] += p[i] }
          } else {
            for i in 0..<n { q[i &* so] += p[i &* si] }
          }
        case .max:
          if so == 0 {
            var m = q[0]
            for i in 0..<n { let v = p[i &* si]; if v > m || v.isNaN { m = v }; if m.isNaN { break } }
            q[0] = m
          } else {
            for i in 0..<n { let v = p[i &* si]; let m = q[i &* so]; if v > m || v.isNaN, !m.isNaN { q[i &* so] = v } }
          }
        case .min:
          if so == 0 {
            var m = q[0]
            for i in 0..<n { let v = p[i &* si]; if v < m || v.isNaN { m = v }; if m.isNaN { break } }
            q[0] = m
          } else {
            for i in 0..<n { let v = p[i &* si]; let m = q[i &* so]; if v < m || v.isNaN, !m.isNaN { q[i &* so] = v } }
          }
        }
      }
    }
  }
  return out
}

/// Σ p[i·stride] for i < n with four interleaved partial sums (a fixed order, so deterministic).
@inline(__always)
func rowSum<T: TensorScalar>(_ p: UnsafePointer<T>, _ n: Int, _ stride: Int) -> T {
  if stride != 1 {
    var s: T = 0
    for i in 0..<n { s += p[i &* stride] }
    return s
  }
  var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
  var i = 0
  while i + 4 <= n {
    s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3]
    i += 4
  }
  while i < n { s0 += p[i]; i += 1 }
  return (s0 + s1) + (s2 + s3)
}
