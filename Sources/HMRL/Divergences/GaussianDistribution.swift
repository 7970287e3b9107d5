#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A multivariate normal distribution N(μ, Σ) in k dimensions, with diagonal or full
/// covariance, factorised once (Cholesky) so that divergences and densities are cheap.
///
/// Diagonal covariances are stored as variances and never build a k×k matrix.
public struct GaussianDistribution: Sendable, Equatable {
  /// The covariance Σ as given.
  public enum Covariance: Sendable, Equatable {
    /// Variances σᵢ², shape `[k]`, each > 0 and finite.
    case diagonal([Double])
    /// A full symmetric positive-definite matrix, shape `[k][k]`.
    case full([[Double]])
  }

  /// μ, shape `[k]`.
  public let mean: [Double]
  /// Σ as given.
  public let covariance: Covariance
  /// k.
  public var dimension: Int { mean.count }
  /// Lower-triangular Cholesky factor L (Σ = L Lᵀ), row-major `[k*k]`; for a diagonal Σ
  /// only the diagonal (σᵢ) is stored, shape `[k]`.
  let factor: [Double]
  /// ln det Σ.
  public let logDeterminant: Double

  /// Creates N(μ, Σ), checking shapes and positive definiteness.
  ///
  /// - Throws: `RLError` naming `gaussian`: empty or non-finite mean, a covariance whose shape
  ///   does not match the mean, a non-positive variance, an asymmetric matrix (relative
  ///   tolerance 1e-10), or a matrix that is not positive definite (Cholesky fails).
  /// - Complexity: O(k³) for full covariance, O(k) for diagonal.
  public init(mean: [Double], covariance: Covariance) throws {
    let op = "gaussian"
    let k = mean.count
    guard k > 0 else { throw RLError(.shapeMismatch, op, "mean is empty") }
    guard mean.allSatisfy(\.isFinite) else {
      throw RLError(.invalidArgument, op, "mean has a non-finite entry")
    }
    self.mean = mean
    self.covariance = covariance
    switch covariance {
    case .diagonal(let v):
      guard v.count == k else {
        throw RLError(.shapeMismatch, op, "mean has \(k) entries but the diagonal covariance has \(v.count)")
      }
      for (i, x) in v.enumerated() where !(x > 0 && x.isFinite) {
        throw RLError(.invalidArgument, op, "variance \(i) is \(x); variances must be finite and > 0")
      }
      factor = v.map { $0.squareRoot() }
      logDeterminant = v.reduce(0) { $0 + log($1) }
    case .full(let m):
      guard m.count == k, m.allSatisfy({ $0.count == k }) else {
        throw RLError(.shapeMismatch, op,
                      "mean has \(k) entries but the covariance is not \(k)×\(k)")
      }
      for i in 0..<k {
        for j in 0..<k {
          let a = m[i][j], b = m[j][i]
          guard a.isFinite else { throw RLError(.invalidArgument, op, "covariance[\(i)][\(j)] is not finite") }
          guard abs(a - b) <= 1e-10 * max(1, abs(a), abs(b)) else {
            throw RLError(.numerical, op, "covariance is not symmetric at [\(i)][\(j)]: \(a) vs \(b)")
          }
        }
      }
      var l = [Double](repeating: 0, count: k * k)
      var logDet = 0.0
      for j in 0..<k {
        var d = m[j][j]
        for p in 0..<j { d -= l[j * k + p] * l[j * k + p] }
        guard d > 0, d.isFinite else {
          throw RLError(.numerical, op, "covariance is not positive definite (pivot \(j) is \(d))")
        }
        let ljj = d.squareRoot()
        l[j * k + j] = ljj
        logDet += 2 * log(ljj)
        for i in (j + 1)..<max(j + 1, k) {
          var s = m[i][j]
          for p in 0..<j { s -= l[i * k + p] * l[j * k + p] }
          l[i * k + j] = s / ljj
        }
      }
      factor = l
      logDeterminant = logDet
    }
  }

  /// Whether Σ was given as a diagonal.
  var isDiagonal: Bool {
    if case .diagonal = covariance { return true }
    return false
  }

  /// Solves L y = v (forward substitution) in place.
  func solveLower(_ v: inout [Double]) {
    let k = dimension
    if isDiagonal {
      for i in 0..<k { v[i] /= factor[i] }
      return
    }
    for i in 0..<k {
      var s = v[i]
      for p in 0..<i { s -= factor[i * k + p] * v[p] }
      v[i] = s / factor[i * k + i]
    }
  }

  /// Column j of L as a dense vector.
  func factorColumn(_ j: Int) -> [Double] {
    let k = dimension
    var c = [Double](repeating: 0, count: k)
    if isDiagonal { c[j] = factor[j]; return c }
    for i in j..<k { c[i] = factor[i * k + j] }
    return c
  }

  /// ln N(x; μ, Σ) in nats; `x` and `scratch` have shape `[k]` (not checked: internal).
  /// NOTE: takes a scratch buffer so the Monte-Carlo loop allocates nothing per sample.
  func logDensity(_ x: [Double], scratch z: inout [Double]) -> Double {
    for i in 0..<dimension { z[i] = x[i] - mean[i] }
    solveLower(&z)
    var quad = 0.0
    for v in z { quad += v * v }
    return -0.5 * (quad + logDeterminant + Double(dimension) * log(2 * Double.pi))
  }

  /// Writes a sample μ + L z, z ~ N(0, I), into `x` (`[k]`), using `z` (`[k]`) as scratch.
  func sample(into x: inout [Double], scratch z: inout [Double],
              using generator: inout some RandomNumberGenerator) {
    let k = dimension
    for i in 0..<k { z[i] = standardNormal(using: &generator) }
    if isDiagonal {
      for i in 0..<k { x[i] = mean[i] + factor[i] * z[i] }
    } else {
      for i in 0..<k {
        var s = 0.0
        for p in 0...i { s += factor[i * k + p] * z[p] }
        x[i] = mean[i] + s
      }
    }
  }
}

/// A standard normal draw by the Box–Muller transform (one of the pair is used).
///
/// Uses 53-bit uniforms from `generator`; u₁ is drawn in (0, 1] so ln u₁ is finite.
func standardNormal(using generator: inout some RandomNumberGenerator) -> Double {
  let u1 = 1 - Double.random(in: 0..<1, using: &generator)
  let u2 = Double.random(in: 0..<1, using: &generator)
  return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
}
