/// Exact finite-horizon values of a policy on a tabular MDP.
public struct PolicyEvaluation: Sendable, Equatable {
  /// `values[t][s]` = V_t(s) = E[Σ_{u ≥ t} γ^(u−t) c_u R_u | s_t = s], t = 0 … H (V_H = 0;
  /// terminal states have value 0), shape `[H+1][S]`.
  public let values: [[Double]]
  /// E_{s₀~p₀}[V₀(s₀)]: the expected discounted return of an episode.
  public let expectedReturn: Double
}

/// Exact policy evaluation by backward induction over the horizon (the discount γ and the step
/// reward scales cₜ of the MDP apply):
///
///     V_H(s) = 0,   V_t(s) = 0 for terminal s,
///     V_t(s) = Σ_a π(a|s) [ cₜ r(s,a) + γ Σ_{s'} P(s'|s,a) V_{t+1}(s') ]
///
/// - Throws: `RLError` naming `policyEvaluation` when the policy's shape differs from the MDP's.
/// - Complexity: O(H · S² · A).
public func policyEvaluation(_ mdp: TabularMDP, _ policy: TabularPolicy) throws -> PolicyEvaluation {
  try mdp.checkCompatible(policy, operation: "policyEvaluation")
  let (nS, nA, horizon) = (mdp.stateCount, mdp.actionCount, mdp.horizon)
  var values = [[Double]](repeating: [Double](repeating: 0, count: nS), count: horizon + 1)
  for t in stride(from: horizon - 1, through: 0, by: -1) {
    let next = values[t + 1]
    let scale = mdp.rewardScale(step: t)
    for s in 0..<nS where !mdp.isTerminal[s] {
      var v = 0.0
      for a in 0..<nA {
        let pi = policy.probabilities[s * nA + a]
        if pi == 0 { continue }
        let row = (s * nA + a) * nS
        var future = 0.0
        for s2 in 0..<nS { future += mdp.transitions[row + s2] * next[s2] }
        v += pi * (scale * mdp.expectedRewards[s * nA + a] + mdp.discount * future)
      }
      values[t][s] = v
    }
  }
  var total = 0.0
  for s in 0..<nS { total += mdp.initialDistribution[s] * values[0][s] }
  return PolicyEvaluation(values: values, expectedReturn: total)
}
