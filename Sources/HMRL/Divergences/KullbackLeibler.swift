#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One term p·ln(p/q) of a Kullback–Leibler sum, in nats, with 0·ln(0/q) = 0 and
/// p·ln(p/0) = +∞ for p > 0.
///
/// NOTE: when p and q are within a factor 2, p − q is exact (Sterbenz) and ln(p/q) is taken as
/// log1p((p − q)/q), which keeps full relative accuracy for nearly equal probabilities where
/// ln(p/q) itself would lose digits to the rounding of p/q.
@inlinable
func kullbackLeiblerTerm(_ p: Double, _ q: Double) -> Double {
  if p == 0 { return 0 }
  if q == 0 { return .infinity }
  let logRatio: Double
  if q <= 2 * p && p <= 2 * q {
    logRatio = log1p((p - q) / q)
  } else {
    let ratio = p / q
    logRatio = ratio.isNormal && ratio.isFinite ? log(ratio) : log(p) - log(q)
  }
  return p * logRatio
}

/// KL(p‖q) in nats over `count` entries read with the given strides; no validation.
@inlinable
func kullbackLeiblerKernel(_ p: UnsafePointer<Double>, _ q: UnsafePointer<Double>, count: Int) -> Double {
  var total = NeumaierSum()
  for i in 0..<count {
    let term = kullbackLeiblerTerm(p[i], q[i])
    if term == .infinity { return .infinity }
    total.add(term)
  }
  // Rounding can leave a tiny negative value for p ≈ q; KL is non-negative.
  return max(0, total.value)
}

/// The Kullback–Leibler divergence KL(p‖q) = Σᵢ pᵢ ln(pᵢ/qᵢ) of two categorical distributions.
///
/// - Parameters:
///   - p: probabilities, shape `[n]`, non-negative, summing to 1 within 1e-9.
///   - q: probabilities, shape `[n]`, same conditions.
///   - base: `.natural` (nats, the default) or `.two` (bits).
/// - Returns: KL(p‖q) ≥ 0. Entries with pᵢ = 0 contribute 0 (0 ln 0 = 0); if some pᵢ > 0 has
///   qᵢ = 0 the result is `+infinity`.
/// - Throws: `RLError` (`.shapeMismatch`, `.invalidProbability`) naming `kullbackLeibler`
///   when the lengths differ, a vector is empty, an entry is negative or non-finite, or a
///   vector does not sum to 1.
/// - Complexity: O(n).
///
///     try kullbackLeibler([0.5, 0.5], [0.25, 0.75])   // 0.1438410362258904
public func kullbackLeibler(_ p: [Double], _ q: [Double], base: LogBase = .natural) throws -> Double {
  try validatePair(p, q, operation: "kullbackLeibler")
  let nats = p.withUnsafeBufferPointer { pb in
    q.withUnsafeBufferPointer { qb -> Double in
      guard let pp = pb.baseAddress, let qp = qb.baseAddress else { return 0 }
      return kullbackLeiblerKernel(pp, qp, count: pb.count)
    }
  }
  return nats * base.fromNats
}

/// The symmetric Kullback–Leibler divergence of the research note,
/// S(p, q) = (KL(p‖q) + KL(q‖p)) / 2 — the *mean* of the two directions (DESIGN.md §4).
///
/// With this S the note's bounds J ≤ S/2 and J ≤ ln(2/(1+e^(−S))) are the known tight ones
/// (Lin 1991; Crooks 2008). The sum KL(p‖q) + KL(q‖p) (Jeffreys' divergence) is `2 * S`.
///
/// - Parameters: as `kullbackLeibler(_:_:base:)`.
/// - Returns: S ≥ 0, `+infinity` when either direction is infinite (supports differ).
/// - Throws: `RLError` naming `symmetricKullbackLeibler` for invalid input.
/// - Complexity: O(n).
public func symmetricKullbackLeibler(_ p: [Double], _ q: [Double], base: LogBase = .natural) throws -> Double {
  try validatePair(p, q, operation: "symmetricKullbackLeibler")
  let nats = p.withUnsafeBufferPointer { pb in
    q.withUnsafeBufferPointer { qb -> Double in
      guard let pp = pb.baseAddress, let qp = qb.baseAddress else { return 0 }
      return 0.5 * (kullbackLeiblerKernel(pp, qp, count: pb.count)
                    + kullbackLeiblerKernel(qp, pp, count: pb.count))
    }
  }
  return nats * base.fromNats
}
