/// The linear feature baseline of rllab / pytorch-maml-rl (DESIGN.md §5): V(oₜ, t) = φ(oₜ, t)·w
/// with features φ = [o, o², t/100, (t/100)², (t/100)³, 1] on real steps (0 on padding), w
/// fitted by ridge least squares to the discounted returns of the batch it is used on.
///
/// Ridge starts at `ridge` (1e-5) and is multiplied by 10 on failure (a non-positive pivot or a
/// non-finite solution) up to `retries` (5) more times. It never throws for numerical reasons:
/// when every attempt fails it returns a zero baseline and says why in ``Fit/warning``.
public struct LinearFeatureBaseline: Sendable, Equatable {
  /// The first ridge coefficient (1e-5).
  public var ridge: Double
  /// How many times the ridge is multiplied by 10 after a failure (5).
  public var retries: Int

  public init(ridge: Double = 1e-5, retries: Int = 5) {
    self.ridge = ridge
    self.retries = retries
  }

  /// The result of a fit.
  public struct Fit: Sendable, Equatable {
    /// V on every step, `[B, T]` (0 on padding).
    public let values: [Double]
    /// w, `[2·obs + 4]` (zeros after a failed fit).
    public let coefficients: [Double]
    /// The ridge that succeeded (nil after a failed fit).
    public let ridge: Double?
    /// Why the fit fell back to a zero baseline, or nil.
    public let warning: String?
  }

  /// φ of every step, `[B·T, 2·obs + 4]` row-major.
  public static func features(observations: [Double], masks: [Double], episodes: Int, steps: Int,
                              observationSize o: Int) -> [Double] {
    let d = 2 * o + 4
    var x = [Double](repeating: 0, count: episodes * steps * d)
    for b in 0..<episodes {
      for t in 0..<steps {
        let i = b * steps + t
        let m = masks[i]
        guard m != 0 else { continue }
        let tt = Double(t) / 100
        for k in 0..<o {
          let v = observations[i * o + k]
          x[i * d + k] = v * m
          x[i * d + o + k] = v * v * m
        }
        x[i * d + 2 * o] = tt * m
        x[i * d + 2 * o + 1] = tt * tt * m
        x[i * d + 2 * o + 2] = tt * tt * tt * m
        x[i * d + 2 * o + 3] = m
      }
    }
    return x
  }

  /// Fits w to `returns` and evaluates V on the same steps.
  /// - Parameters:
  ///   - observations, returns, masks: arrays `[B, T, obs]`, `[B, T]`, `[B, T]` row-major.
  ///   - stepWeights: optional weights ≥ 0 of the steps in the least-squares fit, `[B, T]`
  ///     (weighted ridge: Σ wᵢ φᵢφᵢᵀ, Σ wᵢ φᵢ yᵢ; guided training's importance weights); nil: 1.
  /// - Throws: `RLError` naming `linearFeatureBaseline` only for arrays of the wrong sizes.
  /// - Complexity: O(B·T·d² + d³), d = 2·obs + 4.
  public func fit(observations: [Double], returns: [Double], masks: [Double], episodes: Int, steps: Int,
                  observationSize o: Int, stepWeights: [Double]? = nil) throws -> Fit {
    let op = "linearFeatureBaseline"
    guard o >= 1, observations.count == episodes * steps * o else {
      throw RLError(.shapeMismatch, op, "observations have \(observations.count) entries, expected \(episodes) × \(steps) × \(o)")
    }
    try checkPadded(op, episodes, steps, ["returns": returns, "masks": masks])
    if let sw = stepWeights { try checkPadded(op, episodes, steps, ["stepWeights": sw]) }
    let d = 2 * o + 4, n = episodes * steps
    let x = LinearFeatureBaseline.features(observations: observations, masks: masks, episodes: episodes,
                                           steps: steps, observationSize: o)
    var xtx = [Double](repeating: 0, count: d * d)
    var xty = [Double](repeating: 0, count: d)
    for i in 0..<n where masks[i] != 0 {
      let y = returns[i] * masks[i]
      let weight = stepWeights?[i] ?? 1
      guard weight != 0 else { continue }
      for p in 0..<d {
        let xp = x[i * d + p]
        guard xp != 0 else { continue }
        let wxp = weight == 1 ? xp : weight * xp
        xty[p] += wxp * y
        for q in p..<d { xtx[p * d + q] += wxp * x[i * d + q] }
      }
    }
    for p in 0..<d { for q in 0..<p { xtx[p * d + q] = xtx[q * d + p] } }
    // NOTE: features that are 0 on every step (one-hot observations of states the batch never
    // visited: 580 of 590 columns for a 293-cell maze) have a zero row and column in XᵀX and a zero
    // in Xᵀy, so their coefficients are exactly 0 and the other coefficients are those of the
    // system without them — bit for bit, since the Cholesky factor only gains exact zeros. Solving
    // the reduced system took Algorithm 1's adaptation phase on that maze from 18 ms per task to
    // well under 1 ms (hmbench algorithm1).
    let active = (0..<d).filter { xtx[$0 * d + $0] != 0 }
    let da = active.count
    var reduced = [Double](repeating: 0, count: da * da)
    for (r, p) in active.enumerated() { for (c, q) in active.enumerated() { reduced[r * da + c] = xtx[p * d + q] } }
    let reducedRHS = active.map { xty[$0] }
    var reg = ridge
    var reason = "no attempt"
    for _ in 0...max(0, retries) {
      var a = reduced
      for r in 0..<da { a[r * da + r] += reg }
      if let solved = choleskySolve(a, reducedRHS, da), solved.allSatisfy(\.isFinite) {
        var w = [Double](repeating: 0, count: d)
        for (r, p) in active.enumerated() { w[p] = solved[r] }
        var values = [Double](repeating: 0, count: n)
        for i in 0..<n where masks[i] != 0 {
          var v = 0.0
          for p in active { v += x[i * d + p] * w[p] }
          values[i] = v
        }
        if values.allSatisfy(\.isFinite) {
          return Fit(values: values, coefficients: w, ridge: reg, warning: nil)
        }
        reason = "non-finite baseline values"
      } else {
        reason = "the ridge system is not positive definite or its solution is not finite"
      }
      reg *= 10
    }
    return Fit(values: [Double](repeating: 0, count: n), coefficients: [Double](repeating: 0, count: d), ridge: nil,
               warning: "\(op): \(reason) up to ridge \(reg / 10); using a zero baseline")
  }
}

/// Solves A w = b for symmetric positive-definite A `[d, d]` by Cholesky; nil when a pivot is
/// not positive and finite.
func choleskySolve(_ a: [Double], _ b: [Double], _ d: Int) -> [Double]? {
  var l = [Double](repeating: 0, count: d * d)
  for i in 0..<d {
    for j in 0...i {
      var s = a[i * d + j]
      for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
      if i == j {
        guard s > 0, s.isFinite else { return nil }
        l[i * d + i] = s.squareRoot()
      } else {
        l[i * d + j] = s / l[j * d + j]
      }
    }
  }
  var y = [Double](repeating: 0, count: d)
  for i in 0..<d {
    var s = b[i]
    for k in 0..<i { s -= l[i * d + k] * y[k] }
    y[i] = s / l[i * d + i]
  }
  var w = [Double](repeating: 0, count: d)
  for i in stride(from: d - 1, through: 0, by: -1) {
    var s = y[i]
    for k in (i + 1)..<d { s -= l[k * d + i] * w[k] }
    w[i] = s / l[i * d + i]
  }
  return w
}
