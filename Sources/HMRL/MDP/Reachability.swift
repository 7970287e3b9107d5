/// The decision states a policy reaches with non-zero probability within the horizon:
/// `result[s]` is true iff some trajectory of positive probability takes a decision in s.
///
/// Computed combinatorially on the supports of p₀, π and P (no floating-point products), so a
/// state reached with probability 1e-300 still counts and an unreachable one never does:
///
///     R₀ = {s : p₀(s) > 0, s not terminal}
///     R_{t+1} = {s' not terminal : ∃ s ∈ R_t, a with π(a|s) > 0 and P(s'|s,a) > 0}
///
/// This is the per-policy half of Def. 3's S' (see `equivalencePolicyMetric`).
///
/// - Throws: `RLError` naming `reachableStates` when the policy's shape differs from the MDP's.
/// - Complexity: O(H · S² · A) in the worst case; stops early once the set stops changing
///   (the per-step sets then cycle, and their union is complete).
public func reachableStates(_ mdp: TabularMDP, _ policy: TabularPolicy) throws -> [Bool] {
  try mdp.checkCompatible(policy, operation: "reachableStates")
  let (nS, nA) = (mdp.stateCount, mdp.actionCount)
  var current = [Bool](repeating: false, count: nS)
  for s in 0..<nS where mdp.initialDistribution[s] > 0 && !mdp.isTerminal[s] { current[s] = true }
  var reached = current
  var seen = Set<[Bool]>([current])
  for _ in 1..<max(mdp.horizon, 1) {
    var next = [Bool](repeating: false, count: nS)
    for s in 0..<nS where current[s] {
      for a in 0..<nA where policy.probabilities[s * nA + a] > 0 {
        let row = (s * nA + a) * nS
        for s2 in 0..<nS where mdp.transitions[row + s2] > 0 && !mdp.isTerminal[s2] { next[s2] = true }
      }
    }
    for s in 0..<nS where next[s] { reached[s] = true }
    // The step sets evolve deterministically; once one repeats, no new states can appear.
    if !seen.insert(next).inserted { break }
    current = next
  }
  return reached
}
