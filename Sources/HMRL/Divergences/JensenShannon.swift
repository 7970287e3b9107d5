#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// f(x) = (1+x)ln(1+x) + (1−x)ln(1−x) for x ∈ [−1, 1], with 0·ln 0 = 0.
///
/// One Jensen–Shannon term is ½·m·f(x) with m = (p+q)/2 and x = (p−q)/(p+q).
/// NOTE: for |x| ≤ 0.1 the series Σₖ x^(2k)/(k(2k−1)) (k ≥ 1) is used: the direct form cancels
/// its first-order terms and would lose up to half the digits for nearly equal p and q.
@inlinable
func jensenShannonShape(_ x: Double) -> Double {
  let ax = abs(x)
  if ax <= 0.1 {
    let x2 = x * x
    var power = x2
    var total = 0.0
    for k in 1...10 {
      total += power / Double(k * (2 * k - 1))
      power *= x2
    }
    return total
  }
  if ax >= 1 { return 2 * 0.693_147_180_559_945_309_417_232_121_458 }
  return (1 + x) * log1p(x) + (1 - x) * log1p(-x)
}

/// JS(p, q) in nats over `count` entries; no validation.
@inlinable
func jensenShannonKernel(_ p: UnsafePointer<Double>, _ q: UnsafePointer<Double>, count: Int) -> Double {
  var total = 0.0
  for i in 0..<count {
    let a = p[i], b = q[i]
    let s = a + b
    if s == 0 { continue }
    let x = (a - b) / s
    total += 0.25 * s * jensenShannonShape(x)   // ½ · m · f(x), m = s/2
  }
  // JS is bounded by ln 2; clamp rounding excursions.
  return min(max(0, total), 0.693_147_180_559_945_309_417_232_121_458)
}

/// The Jensen–Shannon divergence J(p, q) = ½ KL(p‖m) + ½ KL(q‖m), m = (p+q)/2, of two
/// categorical distributions (the note's §II).
///
/// J is finite for every pair, 0 ≤ J ≤ ln 2 nats (1 bit); it equals ln 2 exactly for disjoint
/// supports. Its square root is a metric (see `jensenShannonDistance`).
///
/// - Parameters:
///   - p: probabilities, shape `[n]`, non-negative, summing to 1 within 1e-9.
///   - q: probabilities, shape `[n]`.
///   - base: `.natural` (nats, default) or `.two` (bits).
/// - Throws: `RLError` naming `jensenShannon` for mismatched lengths, empty vectors, negative
///   or non-finite entries, or vectors that do not sum to 1.
/// - Complexity: O(n).
///
///     try jensenShannon([1, 0], [0, 1])   // ln 2 = 0.6931471805599453
public func jensenShannon(_ p: [Double], _ q: [Double], base: LogBase = .natural) throws -> Double {
  try validatePair(p, q, operation: "jensenShannon")
  return jensenShannonUnchecked(p, q) * base.fromNats
}

/// sqrt J(p, q): the Jensen–Shannon distance, a true metric on categorical distributions
/// (Endres & Schindelin 2003). Equals `scipy.spatial.distance.jensenshannon(p, q)`.
///
/// With `base: .two` the result is sqrt of J in bits (so it lies in [0, 1]).
/// - Throws: `RLError` naming `jensenShannonDistance` for invalid input.
/// - Complexity: O(n).
public func jensenShannonDistance(_ p: [Double], _ q: [Double], base: LogBase = .natural) throws -> Double {
  try validatePair(p, q, operation: "jensenShannonDistance")
  return (jensenShannonUnchecked(p, q) * base.fromNats).squareRoot()
}

/// J(p, q) in nats without validation; callers guarantee equal lengths and probabilities.
@inlinable
func jensenShannonUnchecked(_ p: [Double], _ q: [Double]) -> Double {
  p.withUnsafeBufferPointer { pb in
    q.withUnsafeBufferPointer { qb -> Double in
      guard let pp = pb.baseAddress, let qp = qb.baseAddress else { return 0 }
      return jensenShannonKernel(pp, qp, count: min(pb.count, qb.count))
    }
  }
}
