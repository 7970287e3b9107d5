/// Index-driven ops: `gather` along an axis (PyTorch's `gather`), its adjoint `scatterAdd`,
/// and `oneHot`. Index tensors hold integer values in a float dtype.

extension Tensor {
  /// Validated integer indices from a float tensor, each in `0..<limit` (negatives wrap once).
  func integerIndices(limit: Int, _ op: String) throws -> [Int] {
    try toArray().map { v in
      guard v.isFinite, v == v.rounded() else {
        throw TensorError(.invalidArgument, op, "index \(v) is not an integer")
      }
      guard v >= Double(-limit), v < Double(limit) else {
        throw TensorError(.indexOutOfRange, op, "index \(Int(v)) is out of range for size \(limit)")
      }
      let i = Int(v)
      return i < 0 ? i + limit : i
    }
  }

  /// Values picked along `axis` by `indices`: for rank 2 and axis 1,
  /// `out[i][j] = self[i][indices[i][j]]`. `indices` has this tensor's rank, and every axis but
  /// `axis` no longer than this tensor's; the result has `indices`' shape.
  ///
  /// Typical use: log-probabilities of taken actions, `logp.gather(axis: 1, indices: actions)`
  /// with `logp: [batch, actions]`, `actions: [batch, 1]`.
  /// - Throws: `TensorError.shapeMismatch` for incompatible shapes, `TensorError.indexOutOfRange`
  ///   or `.invalidArgument` for a bad index, `TensorError.invalidAxis`.
  public func gather(axis: Int, indices: Tensor) throws -> Tensor {
    let a = try Shape.axis(axis, rank: rank, "gather")
    guard indices.rank == rank,
          (0..<rank).allSatisfy({ $0 == a || indices.shape[$0] <= shape[$0] }) else {
      throw TensorError.shapes("gather", shape, indices.shape, "do not match (data and indices)")
    }
    let idx = try indices.integerIndices(limit: shape[a], "gather")
    let offsets = gatherOffsets(idx, indexShape: indices.shape, axis: a)
    let storage: Storage
    switch self.storage {
    case .float32(let v): storage = .float32(offsets.map { v[$0] })
    case .float64(let v): storage = .float64(offsets.map { v[$0] })
    }
    let own = shape
    return Tensor.record(storage, indices.shape, "gather", [self]) { c in
      [c.grad.scatterAdd(offsets: offsets, into: own)]
    }
  }

  /// Source offsets of each gathered element (row-major over `indexShape`).
  func gatherOffsets(_ idx: [Int], indexShape: [Int], axis: Int) -> [Int] {
    let st = Shape.strides(shape)
    let ist = Shape.strides(indexShape)
    return idx.enumerated().map { (flat, i) in
      var rem = flat, off = 0
      for d in 0..<indexShape.count {
        let coord = rem / ist[d]
        rem %= ist[d]
        off += (d == axis ? i : coord) * st[d]
      }
      return off
    }
  }

  /// Zeros of `shape` with this tensor's elements added at `offsets` (the adjoint of gather).
  func scatterAdd(offsets: [Int], into shape: [Int]) -> Tensor {
    let n = Shape.count(shape)
    let storage: Storage
    switch self.storage {
    case .float32(let v):
      var out = [Float](repeating: 0, count: n)
      for (k, o) in offsets.enumerated() { out[o] += v[k] }
      storage = .float32(out)
    case .float64(let v):
      var out = [Double](repeating: 0, count: n)
      for (k, o) in offsets.enumerated() { out[o] += v[k] }
      storage = .float64(out)
    }
    let own = self.shape
    return Tensor.record(storage, shape, "scatter_add", [self]) { c in
      let g = c.grad.toArray()
      return [Tensor(shape: own, storage: .from(offsets.map { g[$0] }, dtype: c.grad.dtype))
        .recordedGather(from: c.grad, offsets: offsets)]
    }
  }

  /// Re-records a gather of `source` at `offsets` (so scatter's adjoint stays differentiable).
  func recordedGather(from source: Tensor, offsets: [Int]) -> Tensor {
    let sourceShape = source.shape
    return Tensor.record(storage, shape, "gather", [source]) { c in
      [c.grad.scatterAdd(offsets: offsets, into: sourceShape)]
    }
  }

  /// One-hot encoding: shape `indices.shape + [depth]`, 1 at each index and 0 elsewhere.
  /// Not differentiable (indices are data).
  /// - Throws: `TensorError.invalidArgument` when `depth < 0` or an index is not an integer,
  ///   `TensorError.indexOutOfRange` for an index outside `0..<depth`.
  public static func oneHot(_ indices: Tensor, depth: Int, dtype: DType = .float32) throws -> Tensor {
    guard depth >= 0 else { throw TensorError(.invalidArgument, "one_hot", "depth \(depth) is negative") }
    try Shape.validate(indices.shape + [depth], "one_hot")
    let idx = try indices.toArray().map { v -> Int in
      guard v.isFinite, v == v.rounded() else {
        throw TensorError(.invalidArgument, "one_hot", "index \(v) is not an integer")
      }
      guard v >= 0, v < Double(depth) else {
        throw TensorError(.indexOutOfRange, "one_hot", "index \(Int(v)) is out of range for depth \(depth)")
      }
      return Int(v)
    }
    var out = [Double](repeating: 0, count: idx.count * depth)
    for (k, i) in idx.enumerated() { out[k * depth + i] = 1 }
    return Tensor(shape: indices.shape + [depth], storage: .from(out, dtype: dtype))
  }
}
