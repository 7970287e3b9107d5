/// The research note's first experiment (§V.1, "experimental results to support the theory of
/// the metrics and policy divergence"), as a Swift function: over seeded random tabular MDPs
/// and policies, how often do sqrt J, d_P (Def. 2), d_E (Def. 3) and P (Def. 4) violate
/// identity, symmetry and the triangle inequality; and how tight are the two JS bounds.
///
/// The note claims: sqrt J, d_P and d_E are metrics (d_E on equivalence classes), P violates the
/// triangle inequality. The function counts, it does not assume: every claim is checked on every
/// triple, with a relative tolerance of `configuration.tolerance`.
///
/// Procedure (all randomness from `generator`, so a seeded generator reproduces the run):
/// 1. For each of `mdpCount` MDPs (`randomTabularMDP`, sizes drawn from the configured ranges),
///    draw `triplesPerMDP` triples (x, y, z) of `randomTabularPolicy` policies. With probability
///    `equivalentPairProbability` one policy of the triple is a copy of another re-drawn only on
///    the states the original never reaches, so equivalent-but-different pairs (Def. 1) occur.
/// 2. For each triple, compute all three pairwise values of d_P, d_E and P exactly (occupancy
///    and reachability once per policy), both argument orders for symmetry, d(x, x) for
///    identity, and check the three triangle inequalities (each side as the long one).
/// 3. "Indistinguishable" means equal tables for d_P and equivalence (agreement on every state the
///    first policy reaches) for d_E and P; identity violations count zero distances between
///    distinguishable policies and positive distances between indistinguishable ones.
/// 4. sqrt J is checked the same way on `distributionTriples` triples of categorical
///    distributions with zeros.
/// 5. Both JS bounds are checked on every distribution pair: the random triples' pairs and every
///    state row of every policy pair.
///
/// - Throws: `RLError` naming `metricTheory` for a configuration with empty or non-positive
///   ranges or counts.
/// - Complexity: O(mdpCount · triplesPerMDP · H · S² · A + distributionTriples · categories).
public func runMetricTheoryExperiment(_ configuration: MetricTheoryConfiguration = MetricTheoryConfiguration(),
                                      using generator: inout some RandomNumberGenerator) throws -> MetricTheoryResult {
  let c = configuration
  let op = "metricTheory"
  guard c.mdpCount >= 1, c.triplesPerMDP >= 1, c.distributionTriples >= 0, c.maxSuccessors >= 1,
        c.stateCounts.lowerBound >= 1, c.actionCounts.lowerBound >= 1, c.horizons.lowerBound >= 1,
        c.categoryCounts.lowerBound >= 1 else {
    throw RLError(.invalidArgument, op, "counts must be >= 1 (distributionTriples >= 0) and ranges start at >= 1")
  }
  guard (0...1).contains(c.equivalentPairProbability), c.tolerance >= 0 else {
    throw RLError(.invalidArgument, op, "equivalentPairProbability must be in [0, 1] and tolerance >= 0")
  }
  var sqrtJ = MetricAxiomCounts(name: "sqrtJ")
  var dP = MetricAxiomCounts(name: "d_P"), dE = MetricAxiomCounts(name: "d_E"), pDiv = MetricAxiomCounts(name: "P")
  var bounds = BoundTightness()
  var halfRatios = [Double](), logRatios = [Double](), logRatiosFinite = [Double]()
  var equivalentTriples = 0
  var counterP: TriangleCounterexample?, counterE: TriangleCounterexample?
  var equivalentDistinct = 0
  let tol = c.tolerance

  func checkBounds(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int, record: Bool) {
    let j = jensenShannonKernel(a, b, count: count)
    let s = 0.5 * (kullbackLeiblerKernel(a, b, count: count) + kullbackLeiblerKernel(b, a, count: count))
    let half = 0.5 * s, logBound = jensenShannonLogBound(nats: s)
    bounds.pairs += 1
    if j > half * (1 + tol) + 1e-300 { bounds.halfSymmetricViolations += 1 }
    if j > logBound * (1 + tol) + 1e-300 { bounds.logarithmicViolations += 1 }
    if s == .infinity { bounds.infiniteSymmetricKL += 1 }
    if s > 1e-8 {
      if s.isFinite { halfRatios.append(j / half); logRatiosFinite.append(j / logBound) }
      logRatios.append(j / logBound)
    }
    if record {
      bounds.jensenShannon.append(j)
      bounds.halfSymmetricBound.append(half)
      bounds.logarithmicBound.append(logBound)
    }
  }

  // Steps 2–3 for one distance on one triple; returns the violating ordering, if any.
  func checkTriple(_ counts: inout MetricAxiomCounts, _ d: [[Double]], _ dReversed: [[Double]],
                   self selfDistances: [Double], indistinguishable: [[Bool]],
                   builtWithEquivalentPair: Bool) -> (Int, Int, Int)? {
    counts.selfDistanceNonzero += selfDistances.filter { $0 != 0 }.count
    for (i, j) in [(0, 1), (1, 2), (0, 2)] {
      counts.pairChecks += 1
      let a = d[i][j], b = dReversed[i][j]
      if abs(a - b) > tol * max(abs(a), abs(b)) { counts.symmetryViolations += 1 }
      if a == 0 && !indistinguishable[i][j] { counts.zeroButDistinguishable += 1 }
      if a != 0 && indistinguishable[i][j] { counts.positiveButIndistinguishable += 1 }
    }
    var slack = Double.infinity
    var violation: (Int, Int, Int)?
    var violated = false
    // (x, y, z): check d(x,z) ≤ d(x,y) + d(y,z) with y the middle point.
    for (x, y, z) in [(0, 1, 2), (0, 2, 1), (1, 0, 2)] {
      counts.triangleChecks += 1
      let long = d[x][z], via = d[x][y] + d[y][z]
      slack = min(slack, via - long)
      let ratio = via > 0 ? long / via : (long > 0 ? Double.infinity : 0)
      counts.worstTriangleRatio = max(counts.worstTriangleRatio, ratio)
      if long > via * (1 + tol) {
        counts.triangleViolations += 1
        violated = true
        if violation == nil { violation = (x, y, z) }
      }
    }
    if violated {
      counts.triplesWithTriangleViolation += 1
      if builtWithEquivalentPair { counts.violatingTriplesWithEquivalentPair += 1 }
    }
    counts.triangleSlack.append(slack)
    return violation
  }

  // Step 1–3: policies on random MDPs.
  for _ in 0..<c.mdpCount {
    let nS = Int.random(in: c.stateCounts, using: &generator)
    let nA = Int.random(in: c.actionCounts, using: &generator)
    let horizon = Int.random(in: c.horizons, using: &generator)
    let mdp = try randomTabularMDP(stateCount: nS, actionCount: nA, horizon: horizon,
                                   maxSuccessors: c.maxSuccessors, using: &generator)
    for _ in 0..<c.triplesPerMDP {
      var policies = try (0..<3).map { _ in
        try randomTabularPolicy(stateCount: nS, actionCount: nA, deterministicProbability: c.deterministicProbability,
                                zeroProbability: c.zeroProbability, using: &generator)
      }
      let withEquivalentPair = Double.random(in: 0..<1, using: &generator) < c.equivalentPairProbability
      if withEquivalentPair {
        equivalentTriples += 1
        let source = Int.random(in: 0..<3, using: &generator)
        let target = (source + Int.random(in: 1...2, using: &generator)) % 3
        let reached = try reachableStates(mdp, policies[source])
        var table = policies[source].probabilities
        for s in 0..<nS where !reached[s] {
          for a in 0..<nA { table[s * nA + a] = policies[target].probabilities[s * nA + a] }
        }
        policies[target] = try TabularPolicy(stateCount: nS, actionCount: nA, probabilities: table)
      }
      let occupancy = try policies.map { try stateVisitation(mdp, $0).total }
      let reach = try policies.map { try reachableStates(mdp, $0) }
      var metric = [[Double]](repeating: [0, 0, 0], count: 3)
      var metricReversed = metric, equivalence = metric, equivalenceReversed = metric
      var divergence = metric, divergenceReversed = metric
      var identical = [[Bool]](repeating: [true, true, true], count: 3), equivalent = identical
      for i in 0..<3 {
        for j in 0..<3 where i != j {
          let d = stateWiseDistances(policies[i], policies[j])
          let common = zip(reach[i], reach[j]).map { $0 && $1 }
          let m = d.reduce(0, +) / Double(nS)
          let e = try averageOverCommonStates(d, common: common, weights: nil, operation: op)
          let p = divergenceFromOccupancies(d, occupancy[i], occupancy[j], aggregation: .sum, horizon: horizon)
          if i < j {
            metric[i][j] = m; metric[j][i] = m
            equivalence[i][j] = e; equivalence[j][i] = e
            divergence[i][j] = p; divergence[j][i] = p
            identical[i][j] = policies[i].probabilities == policies[j].probabilities
            identical[j][i] = identical[i][j]
            var agree = true
            for s in 0..<nS where reach[i][s] {
              if policies[i].distributionSlice(at: s) != policies[j].distributionSlice(at: s) { agree = false; break }
            }
            equivalent[i][j] = agree; equivalent[j][i] = agree
            if agree && !identical[i][j] { equivalentDistinct += 1 }
            policies[i].probabilities.withUnsafeBufferPointer { pa in
              policies[j].probabilities.withUnsafeBufferPointer { pb in
                guard let x = pa.baseAddress, let y = pb.baseAddress else { return }
                for s in 0..<nS { checkBounds(x + s * nA, y + s * nA, count: nA, record: false) }
              }
            }
          } else {
            metricReversed[j][i] = m
            equivalenceReversed[j][i] = e
            divergenceReversed[j][i] = p
          }
        }
      }
      let selfMetric = try policies.map { try policyMetric($0, $0) }
      let selfEquivalence = try policies.map { try equivalencePolicyMetric(mdp, $0, $0) }
      let selfDivergence = try policies.map { try policyDivergence(mdp, $0, $0) }
      _ = checkTriple(&dP, metric, metricReversed, self: selfMetric, indistinguishable: identical,
                      builtWithEquivalentPair: withEquivalentPair)
      if let (x, y, z) = checkTriple(&dE, equivalence, equivalenceReversed, self: selfEquivalence, indistinguishable: equivalent,
                                    builtWithEquivalentPair: withEquivalentPair) {
        let example = TriangleCounterexample(mdp: mdp, policies: [policies[x], policies[y], policies[z]],
                                             distances: (equivalence[x][y], equivalence[y][z], equivalence[x][z]))
        if counterE.map({ $0.mdp.stateCount * $0.mdp.actionCount > nS * nA }) ?? true { counterE = example }
      }
      if let (x, y, z) = checkTriple(&pDiv, divergence, divergenceReversed, self: selfDivergence, indistinguishable: equivalent,
                                    builtWithEquivalentPair: withEquivalentPair) {
        let example = TriangleCounterexample(mdp: mdp, policies: [policies[x], policies[y], policies[z]],
                                             distances: (divergence[x][y], divergence[y][z], divergence[x][z]))
        if counterP.map({ $0.mdp.stateCount * $0.mdp.actionCount > nS * nA }) ?? true { counterP = example }
      }
    }
  }

  // Steps 4–5: distribution triples.
  for _ in 0..<c.distributionTriples {
    let k = Int.random(in: c.categoryCounts, using: &generator)
    let rows = try randomTabularPolicy(stateCount: 3, actionCount: k, deterministicProbability: c.deterministicProbability / 3,
                                       zeroProbability: c.zeroProbability, using: &generator)
    var d = [[Double]](repeating: [0, 0, 0], count: 3), dReversed = d
    var identical = [[Bool]](repeating: [true, true, true], count: 3)
    rows.probabilities.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      for i in 0..<3 {
        for j in 0..<3 where i != j {
          let v = jensenShannonKernel(base + i * k, base + j * k, count: k).squareRoot()
          if i < j {
            d[i][j] = v; d[j][i] = v
            identical[i][j] = rows.distributionSlice(at: i) == rows.distributionSlice(at: j)
            identical[j][i] = identical[i][j]
            checkBounds(base + i * k, base + j * k, count: k, record: true)
          } else {
            dReversed[j][i] = v
          }
        }
      }
    }
    let selfDistances = (0..<3).map { i in
      rows.probabilities.withUnsafeBufferPointer { b in
        b.baseAddress.map { jensenShannonKernel($0 + i * k, $0 + i * k, count: k).squareRoot() } ?? 0
      }
    }
    _ = checkTriple(&sqrtJ, d, dReversed, self: selfDistances, indistinguishable: identical,
                    builtWithEquivalentPair: false)
  }
  bounds.halfSymmetricRatio = RatioSummary(halfRatios)
  bounds.logarithmicRatio = RatioSummary(logRatios)
  bounds.logarithmicRatioFiniteS = RatioSummary(logRatiosFinite)
  let triples = c.mdpCount * c.triplesPerMDP
  return MetricTheoryResult(configuration: c, policyTriples: triples, policyPairs: 3 * triples,
                            equivalentDistinctPairs: equivalentDistinct, triplesWithEquivalentPair: equivalentTriples,
                            jensenShannonDistance: sqrtJ,
                            policyMetric: dP, equivalencePolicyMetric: dE, policyDivergence: pDiv,
                            policyDivergenceCounterexample: counterP, equivalencePolicyMetricCounterexample: counterE,
                            bounds: bounds)
}
