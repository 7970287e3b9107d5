// The research note's policy metrics (§IV.B) for tabular policies, computed exactly.
//
// All three average or sum the state-wise Jensen–Shannon distance
// sqrt J(π_θ(·|s), π_φ(·|s)) (nats unless `base: .two`) under different state measures:
//
// | API | note | state measure |
// | --- | --- | --- |
// | `policyMetric` | Def. 2, d_P | q_S over all states, full support (uniform by default) |
// | `equivalencePolicyMetric` | Def. 3, d_E | q_{S'} over S' = states both policies reach |
// | `policyDivergence` | Def. 4, P | each policy's own state-visitation measure, summed |

/// How Def. 4 aggregates a trajectory's state-wise distances.
public enum StepAggregation: String, Sendable, CaseIterable {
  /// Σₜ sqrt J(π_θ(sₜ), π_φ(sₜ)) over the trajectory's decisions (the note's definition).
  case sum
  /// The same sum divided by the horizon H: a trajectory that ends early contributes zeros for
  /// its missing steps, so the result is linear in the occupancy measure and stays exact.
  case averageOverSteps
}

/// sqrt J(π_a(·|s), π_b(·|s)) for every state, `[S]`, in the requested base (no validation:
/// both policies are valid tables of the same shape).
func stateWiseDistances(_ a: TabularPolicy, _ b: TabularPolicy, base: LogBase = .natural) -> [Double] {
  let nA = a.actionCount
  var out = [Double](repeating: 0, count: a.stateCount)
  let scale = base.fromNats
  a.probabilities.withUnsafeBufferPointer { pa in
    b.probabilities.withUnsafeBufferPointer { pb in
      guard let x = pa.baseAddress, let y = pb.baseAddress else { return }
      for s in 0..<a.stateCount {
        out[s] = (jensenShannonKernel(x + s * nA, y + s * nA, count: nA) * scale).squareRoot()
      }
    }
  }
  return out
}

func checkSameShape(_ a: TabularPolicy, _ b: TabularPolicy, operation: String) throws {
  guard a.stateCount == b.stateCount, a.actionCount == b.actionCount else {
    throw RLError(.shapeMismatch, operation,
                  "policies are \(a.stateCount)×\(a.actionCount) and \(b.stateCount)×\(b.actionCount) (states × actions)")
  }
}

/// Normalised full-support weights q_S (Def. 2), uniform when `weights` is nil.
func fullSupportWeights(_ weights: [Double]?, stateCount: Int, operation: String) throws -> [Double] {
  guard let weights else { return [Double](repeating: 1 / Double(stateCount), count: stateCount) }
  guard weights.count == stateCount else {
    throw RLError(.shapeMismatch, operation, "state weights have \(weights.count) entries, expected \(stateCount)")
  }
  var total = 0.0
  for (s, w) in weights.enumerated() {
    guard w.isFinite, w > 0 else {
      throw RLError(.invalidProbability, operation,
                    "weight of state \(s) is \(w); Def. 2 needs q_S(s) > 0 and finite for every state")
    }
    total += w
  }
  return weights.map { $0 / total }
}

// Def. 2
/// d_P(π_θ, π_φ) = E_{s~q_S}[ sqrt J(π_θ(s), π_φ(s)) ], the note's policy metric.
///
/// A true metric on policies (a q-weighted average of the Jensen–Shannon distance), which
/// does not see behaviour: policies that differ only on unreachable states are at positive
/// distance.
///
/// - Parameters:
///   - a: π_θ, `[S][A]`.
///   - b: π_φ, same shape.
///   - stateWeights: q_S, `[S]`, every entry > 0 (normalised here); uniform when nil.
///   - base: nats (default) or bits for J.
/// - Throws: `RLError` naming `policyMetric` for mismatched shapes or weights that are not a
///   full-support distribution.
/// - Complexity: O(S · A).
public func policyMetric(_ a: TabularPolicy, _ b: TabularPolicy, stateWeights: [Double]? = nil,
                         base: LogBase = .natural) throws -> Double {
  try checkSameShape(a, b, operation: "policyMetric")
  let q = try fullSupportWeights(stateWeights, stateCount: a.stateCount, operation: "policyMetric")
  let d = stateWiseDistances(a, b, base: base)
  var total = 0.0
  for s in 0..<d.count { total += q[s] * d[s] }
  return total
}

// Def. 2, empirical q_S
/// d_P with q_S the empirical distribution of a state sample: (1/N) Σₖ sqrt J(π_θ(s_k), π_φ(s_k)).
/// This is the mean of the note's §II rule (`sampledStateRule`), without the threshold.
/// - Throws: `RLError` naming `policyMetric` for mismatched shapes, an empty sample or a state
///   out of range.
/// - Complexity: O(S · A + N).
public func policyMetric(_ a: TabularPolicy, _ b: TabularPolicy, states: [Int], base: LogBase = .natural) throws -> Double {
  try checkSameShape(a, b, operation: "policyMetric")
  try checkStates(states, stateCount: a.stateCount, operation: "policyMetric")
  let d = stateWiseDistances(a, b, base: base)
  var total = 0.0
  for s in states { total += d[s] }
  return total / Double(states.count)
}

/// S' of Def. 3: the decision states both policies reach with non-zero probability, `[S]`.
/// - Throws: `RLError` naming `equivalencePolicyMetric` when shapes differ.
public func commonlyReachedStates(_ mdp: TabularMDP, _ a: TabularPolicy, _ b: TabularPolicy) throws -> [Bool] {
  try mdp.checkCompatible(a, operation: "equivalencePolicyMetric")
  try mdp.checkCompatible(b, operation: "equivalencePolicyMetric")
  let ra = try reachableStates(mdp, a), rb = try reachableStates(mdp, b)
  return zip(ra, rb).map { $0 && $1 }
}

/// Σ_{s∈S'} q(s) d(s) / Σ_{s∈S'} q(s), with q uniform when `weights` is nil; 0 for an empty S'.
func averageOverCommonStates(_ d: [Double], common: [Bool], weights: [Double]?, operation: String) throws -> Double {
  if let weights, weights.count != d.count {
    throw RLError(.shapeMismatch, operation, "state weights have \(weights.count) entries, expected \(d.count)")
  }
  var total = 0.0, mass = 0.0
  for s in 0..<d.count where common[s] {
    let w = weights?[s] ?? 1
    guard w.isFinite, w > 0 else {
      throw RLError(.invalidProbability, operation,
                    "weight of state \(s) is \(w); Def. 3 needs q_S'(s) > 0 on every state of S'")
    }
    total += w * d[s]
    mass += w
  }
  return mass > 0 ? total / mass : 0
}

// Def. 3
/// d_E([π_θ], [π_φ]) = E_{s~q_{S'}}[ sqrt J(π_θ(s), π_φ(s)) ], the note's equivalence policy
/// metric, with S' the states both policies reach with non-zero probability within the horizon
/// (`commonlyReachedStates`, computed exactly on supports).
///
/// Policies that differ only on states outside S' are at distance 0.
/// q_{S'} is uniform on S' by default; given weights are restricted to S' and renormalised, and
/// must be > 0 there (weights off S' are ignored). If S' is empty (p₀ only on terminal states:
/// no decision is ever taken) the distance is 0.
///
/// - Throws: `RLError` naming `equivalencePolicyMetric` for mismatched shapes or weights.
/// - Complexity: O(H · S² · A) for the two reachability sets.
public func equivalencePolicyMetric(_ mdp: TabularMDP, _ a: TabularPolicy, _ b: TabularPolicy,
                                    stateWeights: [Double]? = nil, base: LogBase = .natural) throws -> Double {
  let common = try commonlyReachedStates(mdp, a, b)
  return try averageOverCommonStates(stateWiseDistances(a, b, base: base), common: common,
                                     weights: stateWeights, operation: "equivalencePolicyMetric")
}

/// Σ_s (D_a(s) + D_b(s)) d(s) with D the total occupancies, scaled for `aggregation`.
func divergenceFromOccupancies(_ d: [Double], _ occupancyA: [Double], _ occupancyB: [Double],
                               aggregation: StepAggregation, horizon: Int) -> Double {
  var total = 0.0
  for s in 0..<d.count where d[s] != 0 { total += (occupancyA[s] + occupancyB[s]) * d[s] }
  return aggregation == .sum ? total : total / Double(horizon)
}

// Def. 4
/// P(π_θ, π_φ) = E_{τ~p_θ}[ Σ_{s∈τ} sqrt J(π_θ(s), π_φ(s)) ] + E_{τ~p_φ}[ Σ_{s∈τ} sqrt J(…) ],
/// the note's policy divergence, exact through state-visitation measures:
///
///     P = Σ_s (D_θ(s) + D_φ(s)) · sqrt J(π_θ(s), π_φ(s)),   D(s) = Σₜ Pr(decision t in s)
///
/// "s ∈ τ" counts every decision of the trajectory (a state visited twice counts twice).
/// Zero when π_θ ~ π_φ (Def. 1); not a metric (it can violate the triangle inequality: see
/// `docs/metrics.md`).
///
/// - Parameters:
///   - aggregation: `.sum` (the note) or `.averageOverSteps` (divided by H).
/// - Throws: `RLError` naming `policyDivergence` (via `stateVisitation`) for mismatched shapes.
/// - Complexity: O(H · S² · A).
public func policyDivergence(_ mdp: TabularMDP, _ a: TabularPolicy, _ b: TabularPolicy,
                             aggregation: StepAggregation = .sum, base: LogBase = .natural) throws -> Double {
  try mdp.checkCompatible(a, operation: "policyDivergence")
  try mdp.checkCompatible(b, operation: "policyDivergence")
  let da = try stateVisitation(mdp, a).total, db = try stateVisitation(mdp, b).total
  return divergenceFromOccupancies(stateWiseDistances(a, b, base: base), da, db,
                                   aggregation: aggregation, horizon: mdp.horizon)
}
