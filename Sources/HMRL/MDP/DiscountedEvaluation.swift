#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Infinite-horizon discounted evaluation and control of a tabular MDP (the MDP's horizon is
/// ignored; γ < 1 is required so that values are finite). Terminal states have value 0.
///
/// These complement the finite-horizon tools (`policyEvaluation`, `valueIteration`), which are
/// what episodes of the MDP actually return; the infinite-horizon values are the usual
/// "discounted" oracle of the RL literature.

func checkStationaryDiscounted(_ mdp: TabularMDP, operation: String) throws {
  guard mdp.discount < 1 else {
    throw RLError(.invalidArgument, operation, "needs a discount γ < 1 for finite infinite-horizon values, got \(mdp.discount)")
  }
  guard mdp.stepRewardScale == nil else {
    throw RLError(.invalidArgument, operation,
                  "the MDP's rewards depend on the step (stepRewardScale, e.g. MiniGrid rewards): infinite-horizon values are undefined")
  }
}

/// V^π solving V = r_π + γ P_π V exactly (Gaussian elimination with partial pivoting), with
/// V(s) = 0 for terminal states.
///
/// - Returns: `[S]` values; `E_{p₀}[V]` is `zip(mdp.initialDistribution, values)`.
/// - Throws: `RLError` naming `discountedPolicyEvaluation` for γ = 1, step-dependent rewards,
///   or a policy whose shape differs from the MDP's.
/// - Complexity: O(S³ + S² · A).
public func discountedPolicyEvaluation(_ mdp: TabularMDP, _ policy: TabularPolicy) throws -> [Double] {
  let op = "discountedPolicyEvaluation"
  try checkStationaryDiscounted(mdp, operation: op)
  try mdp.checkCompatible(policy, operation: op)
  let (nS, nA, gamma) = (mdp.stateCount, mdp.actionCount, mdp.discount)
  // Row-major augmented matrix [I − γ P_π | r_π].
  var m = [Double](repeating: 0, count: nS * (nS + 1))
  for s in 0..<nS {
    m[s * (nS + 1) + s] = 1
    if mdp.isTerminal[s] { continue }
    var r = 0.0
    for a in 0..<nA {
      let pi = policy.probabilities[s * nA + a]
      if pi == 0 { continue }
      r += pi * mdp.expectedRewards[s * nA + a]
      let row = (s * nA + a) * nS
      for s2 in 0..<nS where !mdp.isTerminal[s2] {
        m[s * (nS + 1) + s2] -= gamma * pi * mdp.transitions[row + s2]
      }
    }
    m[s * (nS + 1) + nS] = r
  }
  // I − γP_π is non-singular for γ < 1 (P_π is sub-stochastic, spectral radius of γP_π < 1), so
  // partial pivoting only guards rounding.
  let w = nS + 1
  for col in 0..<nS {
    var pivot = col
    for r in (col + 1)..<max(col + 1, nS) where abs(m[r * w + col]) > abs(m[pivot * w + col]) { pivot = r }
    if pivot != col { for k in 0..<w { m.swapAt(col * w + k, pivot * w + k) } }
    let p = m[col * w + col]
    guard p != 0 else { throw RLError(.numerical, op, "singular system at column \(col)") }
    for r in 0..<nS where r != col {
      let f = m[r * w + col] / p
      if f == 0 { continue }
      for k in col..<w { m[r * w + k] -= f * m[col * w + k] }
    }
  }
  return (0..<nS).map { m[$0 * w + nS] / m[$0 * w + $0] }
}

/// Optimal infinite-horizon discounted values and a greedy deterministic policy, by value
/// iteration until the sup-norm change is below `tolerance·(1−γ)/(2γ)` (so the greedy policy's
/// values are within `tolerance` of optimal).
///
/// - Parameters:
///   - tolerance: > 0 (default 1e-10).
///   - maxIterations: ≥ 1 (default 100 000).
/// - Returns: `[S]` values and the greedy policy (lowest action index on ties).
/// - Throws: `RLError` naming `discountedValueIteration` for γ = 1, step-dependent rewards, a bad
///   tolerance, or no convergence within `maxIterations`.
/// - Complexity: O(iterations · S² · A).
public func discountedValueIteration(_ mdp: TabularMDP, tolerance: Double = 1e-10,
                                     maxIterations: Int = 100_000) throws -> (values: [Double], policy: TabularPolicy) {
  let op = "discountedValueIteration"
  try checkStationaryDiscounted(mdp, operation: op)
  guard tolerance > 0, tolerance.isFinite, maxIterations >= 1 else {
    throw RLError(.invalidArgument, op, "tolerance must be > 0 and maxIterations >= 1")
  }
  let (nS, nA, gamma) = (mdp.stateCount, mdp.actionCount, mdp.discount)
  let threshold = gamma > 0 ? tolerance * (1 - gamma) / (2 * gamma) : .infinity
  var values = [Double](repeating: 0, count: nS)
  var actions = [Int](repeating: 0, count: nS)
  for _ in 0..<maxIterations {
    var change = 0.0
    var next = values
    for s in 0..<nS where !mdp.isTerminal[s] {
      var best = -Double.infinity
      for a in 0..<nA {
        let row = (s * nA + a) * nS
        var future = 0.0
        for s2 in 0..<nS { future += mdp.transitions[row + s2] * values[s2] }
        let q = mdp.expectedRewards[s * nA + a] + gamma * future
        if q > best + 1e-12 * max(1, abs(best)) || best == -.infinity { best = q; actions[s] = a }
      }
      next[s] = best
      change = max(change, abs(best - values[s]))
    }
    values = next
    if change <= threshold {
      return (values, try TabularPolicy.deterministic(actions: actions, actionCount: nA))
    }
  }
  throw RLError(.numerical, op, "did not converge within \(maxIterations) iterations")
}
