#if canImport(Glibc)
import Glibc
#endif
import HMTensor

/// The categorical distribution over `actionCount` actions given logits `[N, A]`: shared by
/// ``TabularSoftmaxPolicy`` and ``CategoricalMLPPolicy``.
enum CategoricalHead {
  /// The validated action indices of `actions` `[..., 1]` as an index tensor `[N, 1]`.
  /// - Throws: `RLError` (`.shapeMismatch`) for a wrong shape, (`.outOfRange`) for an action that
  ///   is not an integer in 0..<actionCount.
  static func indices(_ actions: Tensor, lead: [Int], actionCount: Int, operation: String) throws -> Tensor {
    guard actions.shape == lead + [1] else {
      throw RLError(.shapeMismatch, operation, "actions have shape \(actions.shape), expected \(lead + [1])")
    }
    for v in actions.toArray() where !(v.isFinite && v == v.rounded() && v >= 0 && v < Double(actionCount)) {
      throw RLError(.outOfRange, operation, "action \(v) is out of range 0..<\(actionCount)")
    }
    return try policyCall(operation) { try actions.reshaped([-1, 1]) }
  }

  /// log π(a|o) `[N]` of indices `[N, 1]` under `logits` `[N, A]`.
  static func logProb(logits: Tensor, indices: Tensor) throws -> Tensor {
    let logp = try logits.logSoftmax(axis: -1)
    return try logp.gather(axis: 1, indices: indices).reshaped([indices.shape[0]])
  }

  /// −Σ_a p log p, `[N]`.
  static func entropy(logits: Tensor) throws -> Tensor {
    let logp = try logits.logSoftmax(axis: -1)
    return try -(logp.exp() * logp).sum(axis: -1)
  }

  /// One index per row, row i drawn from `streams[i]` by inverse CDF.
  static func sample(logits: Tensor, streams: inout [RandomStream], operation: String) throws -> PolicySample {
    let n = logits.shape[0], a = logits.shape[1]
    guard streams.count == n else {
      throw RLError(.shapeMismatch, operation, "\(n) observations but \(streams.count) random streams")
    }
    let logp = try logits.detached().logSoftmax(axis: -1).toArray()
    var actions = [Double](repeating: 0, count: n)
    var chosen = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let row = logp[(i * a)..<((i + 1) * a)]
      guard row.allSatisfy({ !$0.isNaN }) else {
        throw RLError(.numerical, operation, "the action distribution of row \(i) is NaN")
      }
      let k = sampleCategorical(row.map { exp($0) }[...], using: &streams[i])
      actions[i] = Double(k)
      chosen[i] = row[row.startIndex + k]
    }
    return PolicySample(actions: try Tensor(actions, shape: [n, 1], dtype: logits.dtype),
                        logProbs: try Tensor(chosen, shape: [n], dtype: logits.dtype))
  }

  /// The arg-max index per row (lowest on ties), `[N, 1]`.
  static func greedy(logits: Tensor) throws -> Tensor {
    let n = logits.shape[0], a = logits.shape[1]
    let v = logits.toArray()
    var out = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var best = 0
      for k in 1..<max(a, 1) where v[i * a + k] > v[i * a + best] { best = k }
      out[i] = Double(best)
    }
    return try Tensor(out, shape: [n, 1], dtype: logits.dtype)
  }
}
