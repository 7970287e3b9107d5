/// One sampled episode of a tabular MDP.
public struct TabularEpisode: Sendable, Equatable {
  /// s₀ … s_{T−1}: the decision states, `[T]` (T ≤ H; T = 0 if s₀ is terminal).
  public let states: [Int]
  /// a₀ … a_{T−1}, `[T]`.
  public let actions: [Int]
  /// cₜ R(sₜ, aₜ, sₜ₊₁), `[T]`.
  public let rewards: [Double]
  /// s_T, the state after the last decision.
  public let finalState: Int
  /// Whether the episode ended by entering a terminal state (rather than at the horizon).
  public let terminated: Bool

  /// Σₜ γᵗ rₜ.
  public func discountedReturn(discount: Double) -> Double {
    var total = 0.0, weight = 1.0
    for r in rewards { total += weight * r; weight *= discount }
    return total
  }
}

/// Draws an index from the categorical distribution `probabilities` (inverse CDF; the last
/// index with positive mass absorbs rounding).
@inlinable
func sampleCategorical(_ probabilities: ArraySlice<Double>, using generator: inout some RandomNumberGenerator) -> Int {
  let u = Double.random(in: 0..<1, using: &generator)
  var cumulative = 0.0
  var lastPositive = probabilities.startIndex
  for i in probabilities.indices {
    let p = probabilities[i]
    if p > 0 { lastPositive = i }
    cumulative += p
    if u < cumulative && p > 0 { return i - probabilities.startIndex }
  }
  return lastPositive - probabilities.startIndex
}

/// Samples one episode of `policy` on `mdp`: s₀ ~ p₀, aₜ ~ π(·|sₜ), sₜ₊₁ ~ P(·|sₜ,aₜ), until a
/// terminal state is entered or H decisions were taken.
///
/// - Throws: `RLError` naming `sampleEpisode` when the policy's shape differs from the MDP's.
/// - Complexity: O(H · (A + S)).
public func sampleEpisode(_ mdp: TabularMDP, _ policy: TabularPolicy,
                          using generator: inout some RandomNumberGenerator) throws -> TabularEpisode {
  try mdp.checkCompatible(policy, operation: "sampleEpisode")
  let (nS, nA) = (mdp.stateCount, mdp.actionCount)
  var s = sampleCategorical(mdp.initialDistribution[...], using: &generator)
  var states = [Int](), actions = [Int](), rewards = [Double]()
  var terminated = mdp.isTerminal[s]
  var t = 0
  while t < mdp.horizon && !terminated {
    let a = sampleCategorical(policy.distributionSlice(at: s), using: &generator)
    let row = (s * nA + a) * nS
    let next = sampleCategorical(mdp.transitions[row..<(row + nS)], using: &generator)
    states.append(s)
    actions.append(a)
    rewards.append(mdp.rewardScale(step: t) * mdp.rewardUnchecked(state: s, action: a, next: next))
    s = next
    terminated = mdp.isTerminal[s]
    t += 1
  }
  return TabularEpisode(states: states, actions: actions, rewards: rewards, finalState: s, terminated: terminated)
}
