/// Checks shared by every operation that takes probability vectors or tables.
///
/// A probability vector is non-empty, finite, non-negative, and sums to 1 within
/// `probabilitySumTolerance` (1e-9). Values are not renormalised: callers get exactly
/// the divergence of what they passed.
public let probabilitySumTolerance = 1e-9

@usableFromInline
func validateProbabilities(_ p: ArraySlice<Double>, operation: String, name: String) throws {
  guard !p.isEmpty else {
    throw RLError(.shapeMismatch, operation, "\(name) is empty")
  }
  var sum = 0.0
  for (i, x) in p.enumerated() {
    guard x.isFinite, x >= 0 else {
      throw RLError(.invalidProbability, operation,
                    "\(name)[\(i)] = \(x) is not a probability (must be finite and >= 0)")
    }
    sum += x
  }
  guard abs(sum - 1) <= probabilitySumTolerance else {
    throw RLError(.invalidProbability, operation,
                  "\(name) sums to \(sum), expected 1 within \(probabilitySumTolerance)")
  }
}

@usableFromInline
func validatePair(_ p: [Double], _ q: [Double], operation: String) throws {
  guard p.count == q.count else {
    throw RLError(.shapeMismatch, operation, "p has \(p.count) entries but q has \(q.count)")
  }
  try validateProbabilities(p[...], operation: operation, name: "p")
  try validateProbabilities(q[...], operation: operation, name: "q")
}
