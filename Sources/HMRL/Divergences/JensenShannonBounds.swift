#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The research note's two upper bounds on the Jensen–Shannon divergence in terms of the
/// symmetric KL S = (KL(p‖q) + KL(q‖p))/2 (Def. 4 discussion):
///
///     J ≤ S / 2                      (`halfSymmetric`; Lin 1991, J ≤ Jeffreys/4)
///     J ≤ ln(2 / (1 + e^(−S)))       (`logarithmic`; Crooks 2008, never looser than S/2)
///
/// Both are valid for every pair of distributions, including S = +∞ (the logarithmic bound is
/// then ln 2, which J never exceeds).
public struct JensenShannonBounds: Equatable, Sendable {
  /// S/2, in the base the bounds were computed in.
  public let halfSymmetric: Double
  /// ln(2/(1+e^(−S))) (converted to the requested base).
  public let logarithmic: Double

  /// The bounds for a symmetric KL `s` given in nats.
  ///
  /// - Parameters:
  ///   - s: S in nats, ≥ 0, may be `+infinity`.
  ///   - base: the base of the returned bounds.
  /// - Throws: `RLError` naming `jensenShannonBounds` when `s` is negative or NaN.
  ///
  /// NOTE: the logarithmic bound is computed as −log1p(expm1(−S)/2); the naive form
  /// ln(2/(1+exp(−S))) rounds to 0 for S below ~1e-16, where the bound is ≈ S/2.
  public init(symmetricKullbackLeiblerNats s: Double, base: LogBase = .natural) throws {
    guard !s.isNaN, s >= 0 else {
      throw RLError(.invalidArgument, "jensenShannonBounds", "symmetric KL must be >= 0, got \(s)")
    }
    halfSymmetric = 0.5 * s * base.fromNats
    logarithmic = jensenShannonLogBound(nats: s) * base.fromNats
  }

  /// The bounds for the pair (p, q), each computed from S(p, q).
  /// - Throws: `RLError` naming `jensenShannonBounds` for invalid probability vectors.
  /// - Complexity: O(n).
  public init(_ p: [Double], _ q: [Double], base: LogBase = .natural) throws {
    try validatePair(p, q, operation: "jensenShannonBounds")
    let s = try symmetricKullbackLeibler(p, q)
    try self.init(symmetricKullbackLeiblerNats: s, base: base)
  }
}

/// ln(2/(1+e^(−S))) in nats, stable for tiny S and equal to ln 2 for S = +∞.
@inlinable
func jensenShannonLogBound(nats s: Double) -> Double {
  -log1p(expm1(-s) / 2)
}
