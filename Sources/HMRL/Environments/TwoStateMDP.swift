/// The two-state MDP of the research note's §IV.A, the example behind Defs. 1 and 3.
///
/// States 0 and 1; actions 0 = stay, 1 = switch to the other state; deterministic transitions.
/// Reward 1 for each decision that ends in state 1 (any reward would do: the example is about
/// which states a policy reaches, not about returns).
///
/// With p₀ = δ₀ (`probabilityOfStartingInState1 = 0`), the note's two policies — π_θ stays in 0
/// and in 1, π_φ stays in 0 but switches in 1 — produce the same trajectories, so d_E = P = 0
/// while d_P > 0. With p₀(1) > 0 all three are positive. `twoStateExamplePolicies()` builds
/// that pair.
///
/// - Parameters:
///   - probabilityOfStartingInState1: p₀(1) ∈ [0, 1].
///   - horizon: H ≥ 1 (default 10).
///   - discount: γ (default 1).
/// - Throws: `RLError` naming `tabularMDP` for a p₀(1) outside [0, 1] or a bad horizon or γ.
public func twoStateMDP(probabilityOfStartingInState1 p1: Double = 0, horizon: Int = 10,
                        discount: Double = 1) throws -> TabularMDP {
  guard p1 >= 0, p1 <= 1 else {
    throw RLError(.invalidProbability, "twoStateMDP", "p0(1) must be in [0, 1], got \(p1)")
  }
  // P[s][a][s']: stay keeps s, switch goes to 1 − s.
  let transitions: [[[Double]]] = [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]
  return try TabularMDP(transitions: transitions, rewards: [[0, 1], [1, 0]],
                        initialDistribution: [1 - p1, p1], horizon: horizon, discount: discount)
}

/// The note's §IV.A pair: π_θ always stays (in 0 and in 1); π_φ stays in 0 and switches in 1.
/// `softness` ∈ [0, 0.5) moves that much probability onto the other action (0 = deterministic).
/// - Throws: `RLError` naming `twoStateExamplePolicies` for a softness outside [0, 0.5).
public func twoStateExamplePolicies(softness: Double = 0) throws -> (theta: TabularPolicy, phi: TabularPolicy) {
  guard softness >= 0, softness < 0.5 else {
    throw RLError(.invalidArgument, "twoStateExamplePolicies", "softness must be in [0, 0.5), got \(softness)")
  }
  let stay = [1 - softness, softness], switchAction = [softness, 1 - softness]
  return (try TabularPolicy([stay, stay]), try TabularPolicy([stay, switchAction]))
}
