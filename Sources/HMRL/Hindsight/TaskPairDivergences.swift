import HMTensor

/// How Algorithm 1 decides that two tasks are of the same class (the note gives two rules).
public enum TaskPairRule: String, Codable, Sendable, CaseIterable {
  /// Algorithm 1, line 12: P(π_θ′ᵢ, π_θ′ⱼ) < ε, with P the policy divergence (Def. 4)
  /// E_{τ∼pᵢ}[Σ_{s∈τ} √J(πᵢ(s), πⱼ(s))] + E_{τ∼pⱼ}[Σ_{s∈τ} √J(πᵢ(s), πⱼ(s))], estimated from the
  /// episodes τ′ᵢ, τ′ⱼ each adapted policy produced (line 8).
  case policyDivergence = "policy_divergence"
  /// §II: (1/K) Σₖ √J(π_θ′ᵢ(sₖ), π_θ′ⱼ(sₖ)) < ε over K states sₖ drawn uniformly from every step
  /// the adapted policies visited (one draw shared by all pairs).
  case sampledStates = "sampled_states"
}

/// The pairwise divergences between N adapted policies of one policy family, by `rule`.
///
/// For the policy divergence, task i's term E_{τ∼pᵢ}[Σ_{s∈τ} …] is (1/Bᵢ) Σ over the real steps of
/// its batch; when a batch has more than `statesPerTask` steps, that many are drawn without
/// replacement and reweighted by steps/drawn (an unbiased estimate). Identical observations
/// (every visit of a maze cell) are evaluated once: each policy is evaluated on the distinct
/// observations only, so for tabular tasks the cost is N·S policy rows and N²·S divergences.
///
/// - Parameters:
///   - parameters: θ′₁ … θ′_N.
///   - batches: τ′₁ … τ′_N, sampled with the matching parameters.
///   - statesPerTask: the cap on steps per task for the policy divergence (≥ 1).
///   - sampledStates: K for the §II rule (≥ 1).
///   - stream: the randomness of the subsampling (task i draws from `stream.child(i)`, the §II
///     states from `stream.child(N)`), so the result does not depend on the thread count.
/// - Returns: an N×N symmetric matrix with a zero diagonal.
/// - Throws: `RLError` naming `taskPairDivergences` for mismatched counts, empty batches or
///   policy errors.
/// - Complexity: O(N·U) policy rows (U distinct observations) and O(N²·statesPerTask·A).
public func taskPairDivergences<P: DistributionalPolicy>(
  policy: P, parameters: [ParameterList], batches: [Batch], rule: TaskPairRule,
  statesPerTask: Int = 64, sampledStates: Int = 64, stream: RandomStream,
  threads: Int? = nil) throws -> [[Double]] {
  let op = "taskPairDivergences"
  let n = batches.count
  guard parameters.count == n, n >= 1 else {
    throw RLError(.shapeMismatch, op, "\(parameters.count) parameter lists for \(n) batches (need one per task, at least one)")
  }
  guard statesPerTask >= 1, sampledStates >= 1, statesPerTask <= 1 << 20, sampledStates <= 1 << 20 else {
    throw RLError(.invalidArgument, op, "statesPerTask and sampledStates must be in 1...\(1 << 20)")
  }
  let o = policy.observationSize
  guard batches.allSatisfy({ $0.observationSize == o }) else {
    throw RLError(.shapeMismatch, op, "the batches' observations do not have the policy's \(o) numbers")
  }
  var table = ObservationTable(size: o)
  // Per task: (distinct observation, weight) of the states its term sums over.
  var visits: [[(Int, Double)]] = []
  switch rule {
  case .policyDivergence:
    for (i, b) in batches.enumerated() {
      // NOTE: one task's steps at a time: every batch's observations as doubles at once took
      // 460 MiB more peak memory at N = 256 one-hot maze tasks (docs/performance.md).
      let (rows, obs) = realSteps(b)
      guard !rows.isEmpty else { throw RLError(.invalidArgument, op, "the batch of task \(i) has no steps") }
      var chosen = rows
      if rows.count > statesPerTask {
        var rng = stream.child(UInt64(i))
        chosen.shuffle(using: &rng)
        chosen = Array(chosen.prefix(statesPerTask)).sorted()
      }
      let weight = Double(rows.count) / Double(chosen.count) / Double(b.episodeCount)
      var perTask: [Int: Double] = [:]
      for r in chosen { perTask[table.index(of: obs[(r * o)..<((r + 1) * o)]), default: 0] += weight }
      visits.append(perTask.sorted { $0.key < $1.key })
    }
  case .sampledStates:
    let steps = batches.map(realSteps)
    var pool: [(task: Int, row: Int)] = []
    for (i, s) in steps.enumerated() { pool += s.rows.map { (i, $0) } }
    guard !pool.isEmpty else { throw RLError(.invalidArgument, op, "the batches have no steps") }
    var rng = stream.child(UInt64(n))
    var common: [Int: Double] = [:]
    for _ in 0..<sampledStates {
      let (t, r) = pool[Int(rng.next() % UInt64(pool.count))]
      common[table.index(of: steps[t].observations[(r * o)..<((r + 1) * o)]), default: 0] += 1 / Double(sampledStates)
    }
    visits = [common.sorted { $0.key < $1.key }]
  }

  // Every adapted policy at every distinct observation (N·U rows).
  let observations = try Tensor(table.rows, shape: [table.count, o], dtype: batches[0].observations.dtype)
  let distributions = try concurrentMap(n, threads: threads) { i in
    try policy.actionDistributions(observations, parameters: parameters[i])
  }
  let rows = try concurrentMap(n, threads: threads) { i -> [Double] in
    var row = [Double](repeating: 0, count: n)
    let first = distributions[i]
    for j in (i + 1)..<max(i + 1, n) {
      let second = distributions[j]
      var total = 0.0
      // Def. 4: task i's visits plus task j's (the §II rule: the shared states, once).
      // NOTE: two loops, not a loop over [visits[i], visits[j]]: that array cost an allocation
      // per pair (N = 256: a third of the pair loop in retains, releases and malloc).
      for (u, w) in visits[rule == .policyDivergence ? i : 0] { total += w * jensenShannonDistance(first, u, second, u) }
      if rule == .policyDivergence {
        for (u, w) in visits[j] { total += w * jensenShannonDistance(first, u, second, u) }
      }
      guard total.isFinite else { throw RLError(.numerical, op, "the divergence of tasks \(i) and \(j) is not finite") }
      row[j] = total
    }
    return row
  }
  var matrix = rows
  for i in 0..<n { for j in 0..<i { matrix[i][j] = matrix[j][i] } }
  return matrix
}

/// Pairs (i, j), i < j, labelled similar when their divergence is below ε (Algorithm 1, lines
/// 11–15). Pairs (i, i) are left out: f_φ(T, T) = σ(b) whatever φ's encoder, so they teach
/// nothing about tasks.
public func labelledTaskPairs(_ divergences: [[Double]], epsilon: Double) -> [TaskPair] {
  var pairs: [TaskPair] = []
  for i in divergences.indices {
    for j in (i + 1)..<max(i + 1, divergences.count) {
      pairs.append(TaskPair(i, j, similar: divergences[i][j] < epsilon))
    }
  }
  return pairs
}

/// ε as the q-quantile of the off-diagonal divergences (i < j, linear interpolation), so that
/// about a fraction q of the pairs is labelled similar.
/// - Throws: `RLError` naming `epsilonQuantile` for q outside (0, 1) or fewer than two tasks.
public func epsilon(quantile q: Double, of divergences: [[Double]]) throws -> Double {
  guard q > 0, q < 1 else { throw RLError(.invalidArgument, "epsilonQuantile", "the quantile must be in (0, 1), got \(q)") }
  var values: [Double] = []
  for i in divergences.indices { for j in (i + 1)..<max(i + 1, divergences.count) { values.append(divergences[i][j]) } }
  guard !values.isEmpty else { throw RLError(.invalidArgument, "epsilonQuantile", "need at least two tasks") }
  values.sort()
  let (value, upper) = interpolatedQuantile(sorted: values, q)
  // P < ε is strict: when the quantile falls on a value, move just above it so that value counts as similar.
  return value == upper ? value.nextUp : value
}

/// The real (unpadded) steps of a batch: their flat indices b·T + t and all observations.
private func realSteps(_ batch: Batch) -> (rows: [Int], observations: [Double]) {
  let masks = batch.masks.toArray()
  return (masks.indices.filter { masks[$0] != 0 }, batch.observations.toArray())
}

/// Distinct observation rows, in order of first appearance.
private struct ObservationTable {
  let size: Int
  var rows: [Double] = []
  var indexOf: [[Double]: Int] = [:]
  var count: Int { rows.count / size }

  init(size: Int) { self.size = size }

  mutating func index(of row: ArraySlice<Double>) -> Int {
    let key = Array(row)
    if let i = indexOf[key] { return i }
    let i = count
    indexOf[key] = i
    rows += key
    return i
  }
}
