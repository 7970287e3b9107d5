#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// An estimate with its Monte-Carlo standard error.
public struct MonteCarloEstimate: Sendable, Equatable, CustomStringConvertible {
  /// The sample mean.
  public let value: Double
  /// Standard error of `value` (sample standard deviation / sqrt(n)); 0 when n = 1.
  public let standardError: Double
  /// Number of independent samples (for two-sided estimators: per side).
  public let sampleCount: Int

  public init(value: Double, standardError: Double, sampleCount: Int) {
    self.value = value
    self.standardError = standardError
    self.sampleCount = sampleCount
  }

  public var description: String { "\(value) ± \(standardError) (n = \(sampleCount))" }
}

/// Closed-form KL(p‖q) between two Gaussians:
///
///     KL = ½ [ tr(Σq⁻¹ Σp) + (μq−μp)ᵀ Σq⁻¹ (μq−μp) − k + ln det Σq − ln det Σp ]
///
/// computed from Cholesky factors (tr(Σq⁻¹Σp) = ‖Lq⁻¹ Lp‖²_F), in nats unless `base: .two`.
///
/// - Throws: `RLError` naming `kullbackLeibler` when the dimensions differ.
/// - Complexity: O(k³) with a full covariance, O(k) when both are diagonal.
public func kullbackLeibler(_ p: GaussianDistribution, _ q: GaussianDistribution,
                            base: LogBase = .natural) throws -> Double {
  guard p.dimension == q.dimension else {
    throw RLError(.shapeMismatch, "kullbackLeibler",
                  "Gaussians have dimensions \(p.dimension) and \(q.dimension)")
  }
  return gaussianKullbackLeiblerNats(p, q) * base.fromNats
}

/// S(p, q) = (KL(p‖q) + KL(q‖p))/2 for Gaussians, closed form (see `kullbackLeibler`).
/// - Throws: `RLError` naming `symmetricKullbackLeibler` when the dimensions differ.
public func symmetricKullbackLeibler(_ p: GaussianDistribution, _ q: GaussianDistribution,
                                     base: LogBase = .natural) throws -> Double {
  guard p.dimension == q.dimension else {
    throw RLError(.shapeMismatch, "symmetricKullbackLeibler",
                  "Gaussians have dimensions \(p.dimension) and \(q.dimension)")
  }
  return 0.5 * (gaussianKullbackLeiblerNats(p, q) + gaussianKullbackLeiblerNats(q, p)) * base.fromNats
}

func gaussianKullbackLeiblerNats(_ p: GaussianDistribution, _ q: GaussianDistribution) -> Double {
  let k = p.dimension
  if p.isDiagonal && q.isDiagonal {
    // Σᵢ [ r − 1 − ln r + Δ²/σq² ] / 2 with r = σp²/σq²: each bracket is ≥ 0, so no cancellation
    // between terms; r − 1 − ln r is taken as (r−1) − log1p(r−1).
    var total = NeumaierSum()
    for i in 0..<k {
      let sp = p.factor[i], sq = q.factor[i]
      let r = (sp / sq) * (sp / sq)
      let d = (q.mean[i] - p.mean[i]) / sq
      total.add((r - 1) - log1p(r - 1) + d * d)
    }
    return max(0, 0.5 * total.value)
  }
  var trace = 0.0
  for j in 0..<k {
    var column = p.factorColumn(j)
    q.solveLower(&column)
    for v in column { trace += v * v }
  }
  var diff = [Double](repeating: 0, count: k)
  for i in 0..<k { diff[i] = q.mean[i] - p.mean[i] }
  q.solveLower(&diff)
  var mahalanobis = 0.0
  for v in diff { mahalanobis += v * v }
  return max(0, 0.5 * (trace + mahalanobis - Double(k) + q.logDeterminant - p.logDeterminant))
}

/// Monte-Carlo Jensen–Shannon divergence of two Gaussians (J has no closed form):
///
///     J = ½ E_{x~p}[ln p(x) − ln m(x)] + ½ E_{x~q}[ln q(x) − ln m(x)],  m = (p+q)/2
///
/// with `samples` draws from each side and ln m = logaddexp(ln p, ln q) − ln 2.
///
/// - Parameters:
///   - samples: draws per distribution (≥ 2).
///   - generator: any `RandomNumberGenerator`; the same generator state gives the same result.
/// - Returns: the estimate and its standard error sqrt(Var_p/n + Var_q/n)/2.
/// - Throws: `RLError` naming `jensenShannon` for mismatched dimensions or `samples < 2`.
/// - Complexity: O(samples · k²).
public func jensenShannon(_ p: GaussianDistribution, _ q: GaussianDistribution, samples: Int,
                          base: LogBase = .natural,
                          using generator: inout some RandomNumberGenerator) throws -> MonteCarloEstimate {
  guard p.dimension == q.dimension else {
    throw RLError(.shapeMismatch, "jensenShannon",
                  "Gaussians have dimensions \(p.dimension) and \(q.dimension)")
  }
  guard samples >= 2 else {
    throw RLError(.invalidArgument, "jensenShannon", "samples must be >= 2, got \(samples)")
  }
  let ln2 = 0.693_147_180_559_945_309_417_232_121_458
  func logMixture(_ a: Double, _ b: Double) -> Double {
    let hi = max(a, b)
    return hi + log1p(exp(min(a, b) - hi)) - ln2
  }
  var meanP = 0.0, m2P = 0.0, meanQ = 0.0, m2Q = 0.0
  var x = [Double](repeating: 0, count: p.dimension), scratch = x
  for n in 1...samples {
    p.sample(into: &x, scratch: &scratch, using: &generator)
    let lpx = p.logDensity(x, scratch: &scratch), lqx = q.logDensity(x, scratch: &scratch)
    let a = lpx - logMixture(lpx, lqx)
    q.sample(into: &x, scratch: &scratch, using: &generator)
    let lpy = p.logDensity(x, scratch: &scratch), lqy = q.logDensity(x, scratch: &scratch)
    let b = lqy - logMixture(lpy, lqy)
    // Welford updates.
    let da = a - meanP; meanP += da / Double(n); m2P += da * (a - meanP)
    let db = b - meanQ; meanQ += db / Double(n); m2Q += db * (b - meanQ)
  }
  let n = Double(samples)
  let varP = m2P / (n - 1), varQ = m2Q / (n - 1)
  let scale = base.fromNats
  return MonteCarloEstimate(value: 0.5 * (meanP + meanQ) * scale,
                            standardError: 0.5 * (varP / n + varQ / n).squareRoot() * scale,
                            sampleCount: samples)
}
