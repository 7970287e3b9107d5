/// The optimal finite-horizon solution of a tabular MDP.
public struct OptimalSolution: Sendable, Equatable {
  /// `values[t][s]` = V*_t(s), shape `[H+1][S]` (V*_H = 0, terminal states 0).
  public let values: [[Double]]
  /// `actions[t][s]`: an optimal action at decision t in state s (lowest index on ties),
  /// shape `[H][S]`. Finite-horizon optimal policies are in general non-stationary.
  public let actions: [[Int]]
  /// E_{s₀~p₀}[V*₀(s₀)], the optimal expected return (an oracle for tests and baselines).
  public let expectedReturn: Double

  /// The stationary deterministic policy that plays the step-0 optimal action everywhere
  /// (what greedy-path rendering follows).
  public func firstStepPolicy(actionCount: Int) throws -> TabularPolicy {
    try TabularPolicy.deterministic(actions: actions.first ?? [], actionCount: actionCount)
  }
}

/// Value iteration by backward induction (exact for a finite horizon):
///
///     Q_t(s,a) = cₜ r(s,a) + γ Σ_{s'} P(s'|s,a) V*_{t+1}(s'),   V*_t(s) = max_a Q_t(s,a)
///
/// NOTE: ties are broken towards the lowest action index by a strict comparison with a relative
/// tolerance of 1e-12, so that rounding noise does not flip greedy paths between runs of
/// algebraically equal actions.
/// - Complexity: O(H · S² · A).
public func valueIteration(_ mdp: TabularMDP) -> OptimalSolution {
  let (nS, nA, horizon) = (mdp.stateCount, mdp.actionCount, mdp.horizon)
  var values = [[Double]](repeating: [Double](repeating: 0, count: nS), count: horizon + 1)
  var actions = [[Int]](repeating: [Int](repeating: 0, count: nS), count: horizon)
  for t in stride(from: horizon - 1, through: 0, by: -1) {
    let next = values[t + 1]
    let scale = mdp.rewardScale(step: t)
    for s in 0..<nS where !mdp.isTerminal[s] {
      var best = -Double.infinity, bestAction = 0
      for a in 0..<nA {
        let row = (s * nA + a) * nS
        var future = 0.0
        for s2 in 0..<nS { future += mdp.transitions[row + s2] * next[s2] }
        let q = scale * mdp.expectedRewards[s * nA + a] + mdp.discount * future
        if q > best + 1e-12 * max(1, abs(best)) || best == -.infinity {
          best = q
          bestAction = a
        }
      }
      values[t][s] = best
      actions[t][s] = bestAction
    }
  }
  var total = 0.0
  for s in 0..<nS { total += mdp.initialDistribution[s] * values[0][s] }
  return OptimalSolution(values: values, actions: actions, expectedReturn: total)
}
