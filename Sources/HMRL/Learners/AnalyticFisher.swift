import HMTensor

/// A policy whose Fisher-vector product has a closed form cheaper than double backpropagation
/// (issue 7: "analytically for categorical and Gaussian policies where cheaper").
///
/// F is the Hessian at θ′ = θ of the weighted mean KL D(θ′) = Σₜ wₜ KL(π_θ(·|oₜ) ‖ π_θ′(·|oₜ)) that
/// TRPO bounds, i.e. the weighted Fisher information Σₜ wₜ Jₜᵀ Mₜ Jₜ, with Jₜ the Jacobian of the
/// distribution's parameters at oₜ and Mₜ their Fisher matrix.
public protocol AnalyticFisherPolicy: KLDivergencePolicy {
  /// The operator v ↦ F v at `parameters` for observations `[..., observationSize]` with weights
  /// `[...]`, flat vectors `[scalarCount]`; what does not change between products (the
  /// distributions, the weights per state) is computed once, here.
  /// - Throws: `RLError` for shapes that do not fit.
  func fisherOperator(_ observations: Tensor, weights: Tensor,
                      parameters: ParameterList) throws -> (Tensor) throws -> Tensor
}

extension AnalyticFisherPolicy {
  /// F v, building the operator for one product.
  public func fisherVectorProduct(_ observations: Tensor, weights: Tensor, parameters: ParameterList,
                                  vector: Tensor) throws -> Tensor {
    try fisherOperator(observations, weights: weights, parameters: parameters)(vector)
  }
}

// NOTE: only the tabular softmax policy has a product cheaper than double backpropagation here.
// Its logits are linear in θ (o θ), so J is the observation itself and F v is two products with
// the observation matrix: O(N·S·A) instead of a backward pass through the graph of ∇θ D. For an
// MLP head (categorical or Gaussian) J v needs a forward-mode product, which with reverse-mode
// autodiff costs two backward passes — more than the one the double-backpropagation operator
// spends per product once its gradient graph is built (`FisherOperator`).
extension TabularSoftmaxPolicy: AnalyticFisherPolicy {
  /// With logits ℓₜ = oₜ θ (θ `[S, A]`) and pₜ = softmax(ℓₜ), M = diag(p) − p pᵀ in the logits, so
  ///
  ///     F v = Σₜ wₜ oₜᵀ (pₜ ⊙ xₜ − pₜ (pₜ · xₜ)),   xₜ = oₜ V,
  ///
  /// with V the vector as `[S, A]`. With one-hot observations (a state per row) F is block-diagonal:
  /// F v[s] = W_s (p_s ⊙ v_s − p_s (p_s · v_s)), W_s the weight of the steps in s — O(S·A) per
  /// product once W and p are known. Other observations use X = O V, Y = w ⊙ (P ⊙ X − P ⊙
  /// rowsum(P ⊙ X)), F v = Oᵀ Y.
  public func fisherOperator(_ observations: Tensor, weights: Tensor,
                             parameters: ParameterList) throws -> (Tensor) throws -> Tensor {
    let op = "tabularSoftmaxPolicy.fisherVectorProduct"
    let (s, a) = (stateCount, actionCount)
    let (l, lead) = try logits(observations.detached(), parameters.detached(), op)
    guard weights.shape == lead else {
      throw RLError(.shapeMismatch, op, "weights have shape \(weights.shape), expected \(lead)")
    }
    let check = { (v: Tensor) throws in
      guard v.count == s * a else { throw RLError(.shapeMismatch, op, "vector has \(v.count) numbers, expected \(s) × \(a)") }
    }
    let rows = observations.toArray(), w = weights.toArray()
    var weightOfState = [Double](repeating: 0, count: s)
    var oneHot = true
    for t in 0..<w.count {
      let row = rows[(t * s)..<((t + 1) * s)]
      guard let k = row.firstIndex(of: 1), row.allSatisfy({ $0 == 0 || $0 == 1 }), row.reduce(0, +) == 1 else {
        oneHot = false; break
      }
      weightOfState[k - t * s] += w[t]
    }
    if oneHot {
      let p = try policyCall(op) { try parameters[0].detached().to(.float64).softmax(axis: -1).toArray() }
      return { v in
        try check(v)
        let x = v.toArray()
        var out = [Double](repeating: 0, count: s * a)
        for state in 0..<s where weightOfState[state] != 0 {
          var dot = 0.0
          for k in 0..<a { dot += p[state * a + k] * x[state * a + k] }
          for k in 0..<a { out[state * a + k] = weightOfState[state] * p[state * a + k] * (x[state * a + k] - dot) }
        }
        return try policyCall(op) { try Tensor(out, shape: [s * a], dtype: v.dtype) }
      }
    }
    let o = try policyCall(op) { try observations.detached().reshaped([-1, s]) }
    let probabilities = try policyCall(op) { try l.softmax(axis: -1) }
    let stepWeights = try policyCall(op) { try weights.detached().reshaped([-1]).unsqueezed(-1) }
    return { v in
      try check(v)
      return try policyCall(op) {
        let x = try o.matmul(try v.detached().reshaped([s, a]).to(o.dtype))
        let px = try probabilities * x
        let y = try (px - probabilities * px.sum(axis: -1).unsqueezed(-1)) * stepWeights
        return try o.transposed().matmul(y).flattened().to(v.dtype)
      }
    }
  }
}
