/// All of the note's exact policy metrics for every pair of N tabular policies.
///
/// Each matrix is `[N][N]`, symmetric, with a zero diagonal.
public struct PairwisePolicyMetrics: Sendable, Equatable {
  /// d_P (Def. 2) with the given or uniform q_S.
  public let policyMetric: [[Double]]
  /// d_E (Def. 3) with the given or uniform q_{S'}.
  public let equivalencePolicyMetric: [[Double]]
  /// P (Def. 4) with the requested aggregation.
  public let policyDivergence: [[Double]]
}

/// d_P, d_E and P for all N(N−1)/2 pairs of `policies` on `mdp`, without redundant work:
/// each policy's occupancy measure and reachable set are computed once (N propagations), and
/// each pair's state-wise distances once, shared by the three metrics.
///
/// - Parameters:
///   - stateWeights: q_S (`[S]`, all > 0) for d_P and, restricted to S', for d_E; uniform if nil.
///   - aggregation: for P, `.sum` (the note) or `.averageOverSteps`.
/// - Throws: `RLError` naming `pairwisePolicyMetrics` for an empty list, a policy whose shape
///   differs from the MDP's (the message gives its index), or invalid weights.
/// - Complexity: O(N · H · S² · A + N² · S · A).
public func pairwisePolicyMetrics(_ mdp: TabularMDP, _ policies: [TabularPolicy],
                                  stateWeights: [Double]? = nil, aggregation: StepAggregation = .sum,
                                  base: LogBase = .natural) throws -> PairwisePolicyMetrics {
  let op = "pairwisePolicyMetrics"
  guard !policies.isEmpty else { throw RLError(.invalidArgument, op, "no policies") }
  for (i, p) in policies.enumerated() {
    do { try mdp.checkCompatible(p, operation: op) } catch let e as RLError {
      throw RLError(e.kind, op, "policy \(i): \(e.message)")
    }
  }
  let q = try fullSupportWeights(stateWeights, stateCount: mdp.stateCount, operation: op)
  let occupancies = try policies.map { try stateVisitation(mdp, $0).total }
  let reached = try policies.map { try reachableStates(mdp, $0) }
  let n = policies.count
  var dP = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
  var dE = dP, divergence = dP
  for i in 0..<n {
    for j in (i + 1)..<max(i + 1, n) {
      let d = stateWiseDistances(policies[i], policies[j], base: base)
      var metric = 0.0
      for s in 0..<d.count { metric += q[s] * d[s] }
      let common = zip(reached[i], reached[j]).map { $0 && $1 }
      let equivalence = try averageOverCommonStates(d, common: common, weights: stateWeights, operation: op)
      let p = divergenceFromOccupancies(d, occupancies[i], occupancies[j], aggregation: aggregation,
                                        horizon: mdp.horizon)
      dP[i][j] = metric; dP[j][i] = metric
      dE[i][j] = equivalence; dE[j][i] = equivalence
      divergence[i][j] = p; divergence[j][i] = p
    }
  }
  return PairwisePolicyMetrics(policyMetric: dP, equivalencePolicyMetric: dE, policyDivergence: divergence)
}

/// The §II rule for all pairs: `[N][N]` mean state-wise distances over `states`, and the
/// labels `mean < ε` (the diagonal is 0 and labelled similar).
/// - Throws: `RLError` naming `pairwiseSampledStateRule` for mismatched shapes, an empty or
///   out-of-range state sample, or ε ≤ 0.
/// - Complexity: O(N² · (S · A + N_states)).
public func pairwiseSampledStateRule(_ policies: [TabularPolicy], states: [Int], epsilon: Double,
                                     base: LogBase = .natural) throws -> (meanDistance: [[Double]], similar: [[Bool]]) {
  let op = "pairwiseSampledStateRule"
  guard let first = policies.first else { throw RLError(.invalidArgument, op, "no policies") }
  for p in policies { try checkSameShape(first, p, operation: op) }
  try checkStates(states, stateCount: first.stateCount, operation: op)
  try checkEpsilon(epsilon, operation: op)
  var counts = [Double](repeating: 0, count: first.stateCount)
  for s in states { counts[s] += 1 }
  let n = policies.count
  var mean = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
  for i in 0..<n {
    for j in (i + 1)..<max(i + 1, n) {
      let d = stateWiseDistances(policies[i], policies[j], base: base)
      var total = 0.0
      for s in 0..<d.count where counts[s] > 0 { total += counts[s] * d[s] }
      let m = total / Double(states.count)
      mean[i][j] = m; mean[j][i] = m
    }
  }
  return (mean, mean.map { $0.map { $0 < epsilon } })
}
