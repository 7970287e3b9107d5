/// State-visitation (occupancy) measures of a policy: where, and when, it takes decisions.
public struct StateVisitation: Sendable, Equatable {
  /// `perStep[t][s]` = Pr(the agent takes decision t in state s), t = 0 … H−1, shape `[H][S]`.
  /// Terminal states are never decision states, so their entries are 0; `Σ_s perStep[t][s]` is
  /// the probability that the episode is still running at step t.
  public let perStep: [[Double]]
  /// `total[s]` = Σₜ perStep[t][s]: the expected number of decisions taken in s per episode.
  public let total: [Double]

  /// `total[s] / H`: the time-averaged occupancy (sums to the expected episode length / H).
  public var averagedOverSteps: [Double] {
    let h = Double(max(perStep.count, 1))
    return total.map { $0 / h }
  }
}

/// Exact state-visitation measures by forward propagation of p₀ through P_π:
///
///     d₀(s) = p₀(s) [s not terminal],
///     d_{t+1}(s') = [s' not terminal] Σ_s d_t(s) Σ_a π(a|s) P(s'|s,a)
///
/// Mass that enters a terminal state leaves the measure (the episode ended).
///
/// - Throws: `RLError` naming `stateVisitation` when the policy's shape differs from the MDP's.
/// - Complexity: O(H · S² · A).
public func stateVisitation(_ mdp: TabularMDP, _ policy: TabularPolicy) throws -> StateVisitation {
  try mdp.checkCompatible(policy, operation: "stateVisitation")
  let (nS, nA) = (mdp.stateCount, mdp.actionCount)
  var perStep = [[Double]]()
  perStep.reserveCapacity(mdp.horizon)
  var current = [Double](repeating: 0, count: nS)
  for s in 0..<nS where !mdp.isTerminal[s] { current[s] = mdp.initialDistribution[s] }
  var total = [Double](repeating: 0, count: nS)
  for t in 0..<mdp.horizon {
    perStep.append(current)
    for s in 0..<nS { total[s] += current[s] }
    if t == mdp.horizon - 1 { break }
    var next = [Double](repeating: 0, count: nS)
    for s in 0..<nS where current[s] > 0 {
      for a in 0..<nA {
        let w = current[s] * policy.probabilities[s * nA + a]
        if w == 0 { continue }
        let row = (s * nA + a) * nS
        for s2 in 0..<nS { next[s2] += w * mdp.transitions[row + s2] }
      }
    }
    for s in 0..<nS where mdp.isTerminal[s] { next[s] = 0 }
    current = next
  }
  return StateVisitation(perStep: perStep, total: total)
}
