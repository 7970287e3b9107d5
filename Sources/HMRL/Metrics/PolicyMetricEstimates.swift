// Monte-Carlo estimators of Defs. 3 and 4 from sampled trajectories, for when the exact
// computation is unavailable (and, on tabular MDPs, to check it).

/// Per-episode Σₜ d(sₜ) (divided by H for `.averageOverSteps`).
func episodeSums(_ episodes: [TabularEpisode], _ d: [Double], aggregation: StepAggregation, horizon: Int) -> [Double] {
  episodes.map { e in
    var total = 0.0
    for s in e.states { total += d[s] }
    return aggregation == .sum ? total : total / Double(horizon)
  }
}

/// Mean and unbiased variance.
func meanAndVariance(_ xs: [Double]) -> (mean: Double, variance: Double) {
  guard !xs.isEmpty else { return (0, 0) }
  let mean = xs.reduce(0, +) / Double(xs.count)
  guard xs.count > 1 else { return (mean, 0) }
  let ss = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
  return (mean, ss / Double(xs.count - 1))
}

func checkEpisodeCount(_ episodes: Int, operation: String) throws {
  guard episodes >= 2 else {
    throw RLError(.invalidArgument, operation, "episodes must be >= 2 for a standard error, got \(episodes)")
  }
}

// Def. 4
/// Monte-Carlo P(π_θ, π_φ): `episodes` trajectories of each policy, each scored by
/// Σ_{s∈τ} sqrt J(π_θ(s), π_φ(s)); the estimate is the sum of the two sample means and its
/// standard error sqrt(Var_θ/n + Var_φ/n). Unbiased for the exact `policyDivergence`.
///
/// - Throws: `RLError` naming `policyDivergenceEstimate` for mismatched shapes or `episodes < 2`.
/// - Complexity: O(episodes · H · (S + A)).
public func policyDivergenceEstimate(_ mdp: TabularMDP, _ a: TabularPolicy, _ b: TabularPolicy,
                                     episodes: Int, aggregation: StepAggregation = .sum,
                                     base: LogBase = .natural,
                                     using generator: inout some RandomNumberGenerator) throws -> MonteCarloEstimate {
  let op = "policyDivergenceEstimate"
  try checkEpisodeCount(episodes, operation: op)
  try mdp.checkCompatible(a, operation: op)
  try mdp.checkCompatible(b, operation: op)
  let d = stateWiseDistances(a, b, base: base)
  let ea = try (0..<episodes).map { _ in try sampleEpisode(mdp, a, using: &generator) }
  let eb = try (0..<episodes).map { _ in try sampleEpisode(mdp, b, using: &generator) }
  let sa = meanAndVariance(episodeSums(ea, d, aggregation: aggregation, horizon: mdp.horizon))
  let sb = meanAndVariance(episodeSums(eb, d, aggregation: aggregation, horizon: mdp.horizon))
  let n = Double(episodes)
  return MonteCarloEstimate(value: sa.mean + sb.mean,
                            standardError: (sa.variance / n + sb.variance / n).squareRoot(),
                            sampleCount: episodes)
}

/// d_E from visited sets: Ŝ' = states visited (as decision states) by some sampled trajectory of
/// each policy; the estimate averages sqrt J uniformly over Ŝ'.
func equivalenceFromEpisodes(_ ea: ArraySlice<TabularEpisode>, _ eb: ArraySlice<TabularEpisode>,
                             _ d: [Double]) -> Double {
  var va = [Bool](repeating: false, count: d.count), vb = va
  for e in ea { for s in e.states { va[s] = true } }
  for e in eb { for s in e.states { vb[s] = true } }
  var total = 0.0, count = 0
  for s in 0..<d.count where va[s] && vb[s] { total += d[s]; count += 1 }
  return count > 0 ? total / Double(count) : 0
}

// Def. 3
/// Monte-Carlo d_E(π_θ, π_φ) with uniform q_{S'}: S' is estimated by the states that sampled
/// trajectories of both policies visit, and sqrt J is averaged over it.
///
/// The set estimate only grows towards S' (a state of S' reached with probability ρ per episode
/// is missed with probability (1−ρ)^episodes), so the estimator is consistent and exact once
/// every state of S' has been seen. Its standard error is a bootstrap over episodes
/// (`bootstrapResamples` resamples of each policy's episodes), and is 0 once S' is covered in
/// (almost) every resample.
///
/// - Throws: `RLError` naming `equivalencePolicyMetricEstimate` for mismatched shapes,
///   `episodes < 2` or `bootstrapResamples < 2`.
/// - Complexity: O((episodes + bootstrapResamples · episodes) · H).
public func equivalencePolicyMetricEstimate(_ mdp: TabularMDP, _ a: TabularPolicy, _ b: TabularPolicy,
                                            episodes: Int, bootstrapResamples: Int = 200,
                                            base: LogBase = .natural,
                                            using generator: inout some RandomNumberGenerator) throws -> MonteCarloEstimate {
  let op = "equivalencePolicyMetricEstimate"
  try checkEpisodeCount(episodes, operation: op)
  guard bootstrapResamples >= 2 else {
    throw RLError(.invalidArgument, op, "bootstrapResamples must be >= 2, got \(bootstrapResamples)")
  }
  try mdp.checkCompatible(a, operation: op)
  try mdp.checkCompatible(b, operation: op)
  let d = stateWiseDistances(a, b, base: base)
  let ea = try (0..<episodes).map { _ in try sampleEpisode(mdp, a, using: &generator) }
  let eb = try (0..<episodes).map { _ in try sampleEpisode(mdp, b, using: &generator) }
  let value = equivalenceFromEpisodes(ea[...], eb[...], d)
  var replicates = [Double]()
  replicates.reserveCapacity(bootstrapResamples)
  for _ in 0..<bootstrapResamples {
    let ra = (0..<episodes).map { _ in ea[Int.random(in: 0..<episodes, using: &generator)] }
    let rb = (0..<episodes).map { _ in eb[Int.random(in: 0..<episodes, using: &generator)] }
    replicates.append(equivalenceFromEpisodes(ra[...], rb[...], d))
  }
  return MonteCarloEstimate(value: value, standardError: meanAndVariance(replicates).variance.squareRoot(),
                            sampleCount: episodes)
}

/// Monte-Carlo P for all pairs of N policies, sampling each policy's `episodes` trajectories
/// once and scoring them against every other policy (no re-sampling per pair).
///
/// - Returns: `[N][N]` estimates (symmetric, zero diagonal).
/// - Throws: `RLError` naming `pairwisePolicyDivergenceEstimates` for an empty list, a policy
///   that does not fit the MDP, or `episodes < 2`.
/// - Complexity: O(N · episodes · H + N² · (S · A + episodes · H)).
public func pairwisePolicyDivergenceEstimates(_ mdp: TabularMDP, _ policies: [TabularPolicy], episodes: Int,
                                              aggregation: StepAggregation = .sum, base: LogBase = .natural,
                                              using generator: inout some RandomNumberGenerator) throws -> [[MonteCarloEstimate]] {
  let op = "pairwisePolicyDivergenceEstimates"
  guard !policies.isEmpty else { throw RLError(.invalidArgument, op, "no policies") }
  try checkEpisodeCount(episodes, operation: op)
  for p in policies { try mdp.checkCompatible(p, operation: op) }
  let samples = try policies.map { p in try (0..<episodes).map { _ in try sampleEpisode(mdp, p, using: &generator) } }
  let n = policies.count
  let zero = MonteCarloEstimate(value: 0, standardError: 0, sampleCount: episodes)
  var out = [[MonteCarloEstimate]](repeating: [MonteCarloEstimate](repeating: zero, count: n), count: n)
  let count = Double(episodes)
  for i in 0..<n {
    for j in (i + 1)..<max(i + 1, n) {
      let d = stateWiseDistances(policies[i], policies[j], base: base)
      let si = meanAndVariance(episodeSums(samples[i], d, aggregation: aggregation, horizon: mdp.horizon))
      let sj = meanAndVariance(episodeSums(samples[j], d, aggregation: aggregation, horizon: mdp.horizon))
      let e = MonteCarloEstimate(value: si.mean + sj.mean,
                                 standardError: (si.variance / count + sj.variance / count).squareRoot(),
                                 sampleCount: episodes)
      out[i][j] = e; out[j][i] = e
    }
  }
  return out
}

/// Monte-Carlo d_E (uniform q over the estimated S') for all pairs of N policies, sampling each
/// policy's `episodes` trajectories once: Ŝ'(i, j) = visited(i) ∩ visited(j).
///
/// - Returns: `[N][N]` estimates (symmetric, zero diagonal). Standard errors are not computed
///   here (0); use `equivalencePolicyMetricEstimate` for one pair with a bootstrap error.
/// - Throws: `RLError` naming `pairwiseEquivalencePolicyMetricEstimates` for an empty list, a
///   policy that does not fit the MDP, or `episodes < 2`.
/// - Complexity: O(N · episodes · H + N² · S · A).
public func pairwiseEquivalencePolicyMetricEstimates(_ mdp: TabularMDP, _ policies: [TabularPolicy], episodes: Int,
                                                     base: LogBase = .natural,
                                                     using generator: inout some RandomNumberGenerator) throws -> [[Double]] {
  let op = "pairwiseEquivalencePolicyMetricEstimates"
  guard !policies.isEmpty else { throw RLError(.invalidArgument, op, "no policies") }
  try checkEpisodeCount(episodes, operation: op)
  for p in policies { try mdp.checkCompatible(p, operation: op) }
  var visited = [[Bool]]()
  for p in policies {
    var v = [Bool](repeating: false, count: mdp.stateCount)
    for _ in 0..<episodes { for s in try sampleEpisode(mdp, p, using: &generator).states { v[s] = true } }
    visited.append(v)
  }
  let n = policies.count
  var out = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
  for i in 0..<n {
    for j in (i + 1)..<max(i + 1, n) {
      let d = stateWiseDistances(policies[i], policies[j], base: base)
      let common = zip(visited[i], visited[j]).map { $0 && $1 }
      let e = try averageOverCommonStates(d, common: common, weights: nil, operation: op)
      out[i][j] = e; out[j][i] = e
    }
  }
  return out
}
