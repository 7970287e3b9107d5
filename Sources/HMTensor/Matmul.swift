/// Batched matrix multiplication with broadcasting batch axes, and its derivative.

extension Tensor {
  /// The matrix product over the last two axes, broadcasting the leading (batch) axes:
  /// `[..., m, k] @ [..., k, n] -> [..., m, n]`.
  ///
  /// Both operands need rank ≥ 2 (reshape vectors to `[1, k]` or `[k, 1]`). Mixed dtypes
  /// promote to float64. Large products use both cores; the result does not depend on the
  /// thread count.
  ///
  /// - Throws: `TensorError.shapeMismatch` ("matmul: shapes [3, 4] and [5, 2] do not align")
  ///   when the inner dimensions differ or batch axes cannot broadcast;
  ///   `TensorError.invalidShape` for rank below 2.
  /// - Complexity: O(batch · m · n · k).
  public func matmul(_ other: Tensor) throws -> Tensor {
    try Tensor.matmul(self, other, transposeA: false, transposeB: false)
  }

  /// `a @ b`, the matrix product (see ``matmul(_:)``).
  /// - Throws: `TensorError.shapeMismatch` or `TensorError.invalidShape`.
  public static func matmul(_ a0: Tensor, _ b0: Tensor, transposeA: Bool = false,
                            transposeB: Bool = false) throws -> Tensor {
    guard a0.rank >= 2, b0.rank >= 2 else {
      throw TensorError(.invalidShape, "matmul",
                        "shapes \(a0.shape) and \(b0.shape) need rank 2 or more")
    }
    let (m, ka) = transposeA ? (a0.shape[a0.rank - 1], a0.shape[a0.rank - 2])
                             : (a0.shape[a0.rank - 2], a0.shape[a0.rank - 1])
    let (kb, n) = transposeB ? (b0.shape[b0.rank - 1], b0.shape[b0.rank - 2])
                             : (b0.shape[b0.rank - 2], b0.shape[b0.rank - 1])
    guard ka == kb else { throw TensorError.shapes("matmul", a0.shape, b0.shape, "do not align") }
    let aBatch = Array(a0.shape.dropLast(2)), bBatch = Array(b0.shape.dropLast(2))
    guard let batch = Shape.broadcast(aBatch, bBatch) else {
      throw TensorError.shapes("matmul", a0.shape, b0.shape, "do not align (batch axes cannot broadcast)")
    }
    let (a, b) = a0.dtype == b0.dtype ? (a0, b0) : (a0.to(.float64), b0.to(.float64))
    let outShape = batch + [m, n]
    try Shape.validate(outShape, "matmul")
    let spec = MatmulSpec(m: m, n: n, k: ka, batch: batch, aBatch: aBatch, bBatch: bBatch,
                          transposeA: transposeA, transposeB: transposeB)
    let storage: Storage
    switch (a.storage, b.storage) {
    case (.float32(let x), .float32(let y)): storage = .float32(batchedGemm(spec, x, y))
    case (.float64(let x), .float64(let y)): storage = .float64(batchedGemm(spec, x, y))
    default: preconditionFailure("matmul on unpromoted dtypes")
    }
    let aShape = a.shape, bShape = b.shape
    return record(storage, outShape, "matmul", [a, b]) { c in
      let g = c.grad, x = c.inputs[0], y = c.inputs[1]
      var ga: Tensor? = nil, gb: Tensor? = nil
      if c.needs[0] {
        ga = transposeA ? try matmul(y, g, transposeA: transposeB, transposeB: true)
                        : try matmul(g, y, transposeA: false, transposeB: !transposeB)
        ga = try ga!.sum(toShape: aShape)
      }
      if c.needs[1] {
        gb = transposeB ? try matmul(g, x, transposeA: true, transposeB: transposeA)
                        : try matmul(x, g, transposeA: !transposeA, transposeB: false)
        gb = try gb!.sum(toShape: bShape)
      }
      return [ga, gb]
    }
  }
}

/// The geometry of one batched matmul.
struct MatmulSpec {
  var m: Int, n: Int, k: Int
  var batch: [Int], aBatch: [Int], bBatch: [Int]
  var transposeA: Bool, transposeB: Bool
}

/// Below this many multiply-adds per matrix, batches are split across threads rather than
/// rows within one matrix.
let matmulBatchParallelThreshold = 1 << 14

func batchedGemm<T: GemmScalar>(_ s: MatmulSpec, _ a: [T], _ b: [T]) -> [T] {
  let batchCount = Shape.count(s.batch)
  let mn = s.m * s.n
  let total = batchCount * mn
  let perMatrix = s.m * s.n * s.k
  if total == 0 || s.k == 0 { return [T](repeating: 0, count: total) }
  // The small kernel overwrites C; the blocked one accumulates into zeros.
  var out = perMatrix <= smallMatmulLimit ? makeArray(count: total) { (_: UnsafeMutablePointer<T>) in }
                                          : [T](repeating: 0, count: total)
  // Offsets of each batch's A and B matrices (broadcast batch axes have stride 0).
  let aStr = Shape.broadcastStrides(s.aBatch, to: s.batch).map { $0 * s.m * s.k }
  let bStr = Shape.broadcastStrides(s.bBatch, to: s.batch).map { $0 * s.k * s.n }
  let (rsA, csA) = s.transposeA ? (1, s.m) : (s.k, 1)
  let (rsB, csB) = s.transposeB ? (1, s.k) : (s.n, 1)
  let threads = Parallelism.threadCount
  let plainBatch = s.aBatch == s.batch && s.bBatch == s.batch
  func offsets(_ bi: Int) -> (Int, Int) {
    if plainBatch { return (bi &* s.m &* s.k, bi &* s.k &* s.n) }
    var rem = bi, ao = 0, bo = 0
    for d in stride(from: s.batch.count - 1, through: 0, by: -1) {
      let i = rem % s.batch[d]
      rem /= s.batch[d]
      ao += i * aStr[d]
      bo += i * bStr[d]
    }
    return (ao, bo)
  }
  /// One product: the unpacked kernel for small problems, the blocked one otherwise.
  func matrix(m: Int, n: Int, k: Int, a: UnsafePointer<T>, rsA: Int, csA: Int, b: UnsafePointer<T>,
              rsB: Int, csB: Int, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int,
              workspace ws: inout GemmWorkspace<T>) {
    if perMatrix <= smallMatmulLimit {
      smallGemm(m: m, n: n, k: k, a: a, rsA: rsA, csA: csA, b: b, rsB: rsB, csB: csB, c: c, ldc: ldc,
                workspace: &ws)
    } else {
      gemm(m: m, n: n, k: k, a: a, rsA: rsA, csA: csA, b: b, rsB: rsB, csB: csB, c: c, ldc: ldc,
           threads: threads, workspace: &ws)
    }
  }
  a.withUnsafeBufferPointer { ab in
    b.withUnsafeBufferPointer { bb in
      out.withUnsafeMutableBufferPointer { ob in
        let pa = ab.baseAddress!, pb = bb.baseAddress!, po = ob.baseAddress!
        if batchCount > 1 && perMatrix < matmulBatchParallelThreshold * 64 {
          // Many small matrices: fixed batch chunks, one matrix per thread at a time.
          let useThreads = perMatrix * batchCount >= 1 << 21 ? threads : 1
          let chunk = Swift.max(1, (batchCount + 7) / 8)
          let chunks = (batchCount + chunk - 1) / chunk
          Parallelism.forEachChunk(chunks, threads: useThreads) { ci in
            var ws = GemmWorkspace<T>()
            defer { ws.release() }
            for bi in (ci * chunk)..<Swift.min(batchCount, (ci + 1) * chunk) {
              let (ao, bo) = offsets(bi)
              matrix(m: s.m, n: s.n, k: s.k, a: pa + ao, rsA: rsA, csA: csA, b: pb + bo, rsB: rsB,
                   csB: csB, c: po + bi * mn, ldc: s.n, threads: 1, workspace: &ws)
            }
          }
        } else {
          var ws = GemmWorkspace<T>()
          defer { ws.release() }
          for bi in 0..<batchCount {
            let (ao, bo) = offsets(bi)
            matrix(m: s.m, n: s.n, k: s.k, a: pa + ao, rsA: rsA, csA: csA, b: pb + bo, rsB: rsB,
                 csB: csB, c: po + bi * mn, ldc: s.n, threads: threads, workspace: &ws)
          }
        }
      }
    }
  }
  return out
}
