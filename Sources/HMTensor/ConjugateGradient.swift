/// The conjugate-gradient method for A x = b with a symmetric positive-definite A given only
/// through products `A v` (Hestenes & Stiefel 1952; as used by TRPO for Fisher-vector
/// products, Schulman et al. 2015, Appendix C).
///
/// - Parameters:
///   - multiply: v ↦ A v on flat vectors of `b`'s shape (e.g. a damped Fisher-vector product).
///   - b: The right-hand side, a rank-1 tensor.
///   - iterations: The maximum number of iterations (TRPO uses 10).
///   - residualTolerance: Stop when ‖r‖² falls below this.
/// - Returns: The approximate solution x (a constant tensor of `b`'s dtype), starting from x = 0.
/// - Throws: `TensorError.invalidShape` when `b` is not rank 1, `TensorError.shapeMismatch`
///   when `multiply` returns a different shape, `TensorError.invalidArgument` when the
///   operator shows non-positive or non-finite curvature pᵀAp.
/// - Complexity: `iterations` products plus O(iterations · n).
public func conjugateGradient(_ multiply: (Tensor) throws -> Tensor, b: Tensor, iterations: Int = 10,
                              residualTolerance: Double = 1e-10) throws -> Tensor {
  guard b.rank == 1 else {
    throw TensorError(.invalidShape, "conjugateGradient", "right-hand side of shape \(b.shape) is not a vector")
  }
  var x = [Double](repeating: 0, count: b.count)
  var r = b.toArray()
  var p = r
  var rr = dot(r, r)
  for _ in 0..<Swift.max(0, iterations) {
    if rr < residualTolerance { break }
    let apTensor = try multiply(Tensor(shape: b.shape, storage: .from(p, dtype: b.dtype)))
    guard apTensor.shape == b.shape else {
      throw TensorError.shapes("conjugateGradient", b.shape, apTensor.shape, "differ (vector and product)")
    }
    let ap = apTensor.toArray()
    let pap = dot(p, ap)
    guard pap > 0, pap.isFinite else {
      throw TensorError(.invalidArgument, "conjugateGradient",
                        "operator is not positive definite (pᵀAp = \(pap))")
    }
    let alpha = rr / pap
    for i in x.indices {
      x[i] += alpha * p[i]
      r[i] -= alpha * ap[i]
    }
    let rrNew = dot(r, r)
    let beta = rrNew / rr
    for i in p.indices { p[i] = r[i] + beta * p[i] }
    rr = rrNew
  }
  return Tensor(shape: b.shape, storage: .from(x, dtype: b.dtype))
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
  var s = 0.0
  for i in a.indices { s += a[i] * b[i] }
  return s
}
