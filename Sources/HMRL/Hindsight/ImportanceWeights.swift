#if canImport(Glibc)
import Glibc
#endif

/// Per-decision importance weights of off-policy steps, truncated as in V-trace (Espeholt et al.
/// 2018, IMPALA, eq. 1), computed in log space.
///
/// With the log ratio ℓₜ = log π_current(aₜ|sₜ) − log π_behaviour(aₜ|sₜ), the truncated ratios
/// ρₜ = min(ρ̄, e^ℓₜ) and c_u = min(c̄, e^ℓᵤ), step t of a trajectory weighs
///
///     wₜ = (Π_{u<t} c_u)·ρₜ = exp(Σ_{u<t} min(log c̄, ℓᵤ) + min(log ρ̄, ℓₜ)):
///
/// the probability ratio of the decisions that led to step t and of step t itself (Precup et al.
/// 2000's per-decision estimator), each factor capped. With ρ̄ = c̄ = ∞ the weights are the
/// untruncated per-decision ratios; with ρ̄ = c̄ = 1 (the default) every weight is at most 1.
///
/// Everything is kept as log wₜ, so log ratios of ±800 give no overflow: self-normalisation
/// and the effective sample size are log-sum-exp computations.
///
/// Example (two steps with ratios 2 and 0.5): ρ̄ = c̄ = 1 gives w = [1, 0.5]; untruncated,
/// w = [2, 1].
public struct ImportanceWeights: Sendable, Equatable {
  /// log wₜ in nats, one array per trajectory (`[nᵢ]`); −∞ where the current policy gives an
  /// earlier or the current action probability 0.
  public let logWeights: [[Double]]

  /// Weights of trajectories whose steps have `currentLogProbs` and `behaviourLogProbs`.
  /// - Parameters:
  ///   - currentLogProbs: log π_current(aₜ|sₜ) per trajectory, `[nᵢ]` each; −∞ allowed.
  ///   - behaviourLogProbs: log π_behaviour(aₜ|sₜ), the same shapes; finite (the behaviour
  ///     policy took these actions).
  ///   - rhoBar: ρ̄ > 0, the cap of each step's own ratio (default 1; `.infinity`: no cap).
  ///   - cBar: c̄ > 0, the cap of the ratios of the steps before (default 1; `.infinity`: no cap).
  ///   - perDecision: true (the default): wₜ carries the ratios of the steps before t;
  ///     false: wₜ = ρₜ, each step's own truncated ratio only (a per-step weight, as in PPO's
  ///     and ACER's ratios: biased, but it does not vanish along a trajectory).
  /// - Throws: `RLError` naming `importanceWeights` for mismatched shapes, a NaN or +∞ current
  ///   log-probability, a behaviour log-probability that is not finite (−∞ means the behaviour
  ///   policy could not have taken the action: corrupt data), or a cap that is not > 0.
  /// - Complexity: O(total steps).
  public init(currentLogProbs: [[Double]], behaviourLogProbs: [[Double]], rhoBar: Double = 1,
              cBar: Double = 1, perDecision: Bool = true) throws {
    let op = "importanceWeights"
    guard rhoBar > 0, cBar > 0 else {
      throw RLError(.invalidArgument, op, "the caps ρ̄ = \(rhoBar) and c̄ = \(cBar) must be > 0 (infinity: no cap)")
    }
    guard currentLogProbs.count == behaviourLogProbs.count else {
      throw RLError(.shapeMismatch, op, "\(currentLogProbs.count) trajectories of current log-probabilities, \(behaviourLogProbs.count) of behaviour ones")
    }
    let logRho = log(rhoBar), logC = log(cBar)
    var all = [[Double]]()
    all.reserveCapacity(currentLogProbs.count)
    for (i, (current, behaviour)) in zip(currentLogProbs, behaviourLogProbs).enumerated() {
      guard current.count == behaviour.count else {
        throw RLError(.shapeMismatch, op, "trajectory \(i) has \(current.count) current and \(behaviour.count) behaviour log-probabilities")
      }
      var prefix = 0.0   // Σ_{u<t} min(log c̄, ℓᵤ)
      var w = [Double](repeating: 0, count: current.count)
      for t in 0..<current.count {
        let lc = current[t], lb = behaviour[t]
        guard lb.isFinite else {
          throw RLError(.numerical, op, "behaviour log-probability \(lb) at step \(t) of trajectory \(i) is not finite (the behaviour policy could not have taken that action)")
        }
        guard !lc.isNaN, lc != .infinity else {
          throw RLError(.numerical, op, "current log-probability \(lc) at step \(t) of trajectory \(i) is not a log-probability")
        }
        let ratio = lc - lb   // finite or −∞, never NaN
        w[t] = prefix + min(logRho, ratio)
        if perDecision { prefix += min(logC, ratio) }
      }
      all.append(w)
    }
    logWeights = all
  }

  /// n, the number of steps over all trajectories.
  public var stepCount: Int { logWeights.reduce(0) { $0 + $1.count } }

  /// wₜ = exp(log wₜ), per trajectory. Untruncated weights can overflow to +∞ here: use
  /// ``selfNormalized()`` or the log weights.
  public var weights: [[Double]] { logWeights.map { $0.map { exp($0) } } }

  /// log Σₜ wₜ over every step (−∞ when there are none or all weigh 0).
  public var logTotal: Double { logSumExp(logWeights.joined()) }

  /// The mean weight (Σw)/n before normalisation, computed as exp(log Σw − log n); NaN when
  /// there are no steps; +∞ when untruncated weights exceed the largest double.
  public var meanWeight: Double {
    let n = stepCount
    return n == 0 ? .nan : exp(logTotal - log(Double(n)))
  }

  /// wₜ divided by the mean weight over every step of every trajectory, so the weights average
  /// 1 (Σw = n): the self-normalised (weighted) importance-sampling estimator, which trades a
  /// small bias for a much smaller variance. Computed as exp(log wₜ − log Σw + log n), finite for
  /// any finite log weights.
  ///
  /// Zero sum: when every weight is 0 (the current policy gives probability 0 to some action of
  /// each trajectory's first step), there is nothing to normalise by and every weight stays 0 —
  /// the off-policy data then contributes nothing.
  public func selfNormalized() -> [[Double]] {
    selfNormalized(alongside: 0).offPolicy
  }

  /// Self-normalised over the whole mixed sample: these n off-policy steps together with the
  /// `onPolicySteps` = m on-policy steps of the same gradient (whose ratio is exactly 1). Every
  /// weight, the on-policy ones included, is divided by the mean over all m + n steps, so they
  /// average 1 — the weighted importance-sampling estimator of the mixture.
  ///
  /// Unlike ``selfNormalized()`` this stays bounded when π_θ has moved away from the behaviour
  /// policies: as the off-policy weights vanish the on-policy steps take the weight back, and no
  /// step weighs more than max(wₜ)·(m + n)/m (≤ 2ρ̄ when m ≥ n). Normalising the off-policy steps
  /// alone hands one step the weight of all n once the ESS nears 1 (measured: a Gaussian policy
  /// on sparse 2D navigation diverged to NaN within 8 steps that way).
  /// - Returns: the off-policy weights and the weight of every on-policy step; with m = 0 the
  ///   same as ``selfNormalized()``.
  public func selfNormalized(alongside onPolicySteps: Int) -> (offPolicy: [[Double]], onPolicy: Double) {
    let m = Double(max(0, onPolicySteps)), n = Double(stepCount)
    let (maximum, relative) = logSumExpParts(logWeights.joined())
    guard maximum > -.infinity else {
      // No off-policy mass: the on-policy steps carry it all.
      return (logWeights.map { $0.map { _ in 0 } }, m > 0 ? (m + n) / m : 0)
    }
    // Everything relative to the largest log weight M, so that log weights near ±800 keep their
    // precision: log Σw − M = `relative`, log m − M, and log(m + Σw) − M from the two.
    let onRelative = m > 0 ? log(m) - maximum : -Double.infinity
    let high = max(relative, onRelative), low = min(relative, onRelative)
    let totalRelative = low == -.infinity ? high : high + log1p(exp(low - high))
    let shift = log(m + n) - totalRelative
    return (logWeights.map { $0.map { exp(($0 - maximum) + shift) } }, m > 0 ? exp(shift - maximum) : 0)
  }

  /// The effective sample size ESS = (Σw)²/Σw² of the steps (Kong 1992): n for equal weights,
  /// 1 when one weight dominates; 0 when there are no steps or all weigh 0. Invariant under
  /// normalisation; computed as exp(2·log Σw − log Σw²).
  public var effectiveSampleSize: Double {
    let (m, logSum) = logSumExpParts(logWeights.joined())
    guard m > -Double.infinity else { return 0 }
    // The maxima cancel: 2·(m + logSum) − (2m + logSquares).
    let (_, logSquares) = logSumExpParts(logWeights.joined().lazy.map { 2 * $0 })
    return exp(2 * logSum - logSquares)
  }

  /// ESS/n ∈ [1/n, 1] (0 when there are no steps or all weigh 0).
  public var relativeEffectiveSampleSize: Double {
    let n = stepCount
    return n == 0 ? 0 : effectiveSampleSize / Double(n)
  }
}

/// log Σ exp(xᵢ), shifted by the maximum; −∞ for no terms or all −∞.
func logSumExp<S: Sequence>(_ xs: S) -> Double where S.Element == Double {
  let (m, logSum) = logSumExpParts(xs)
  return m + logSum
}

/// (m, log Σ exp(xᵢ − m)) with m the maximum: log Σ exp(xᵢ) = m + the second; (−∞, 0) for no
/// terms or all −∞.
func logSumExpParts<S: Sequence>(_ xs: S) -> (maximum: Double, logSum: Double) where S.Element == Double {
  var m = -Double.infinity
  for x in xs where x > m { m = x }
  guard m > -Double.infinity else { return (-.infinity, 0) }
  var s = 0.0
  for x in xs { s += exp(x - m) }
  return (m, log(s))
}
