import HMRL

/// The research note's policy metrics (§II–IV) in hm, exact for tabular MDPs and Monte-Carlo.
/// All are built on the state-wise distance d(s) = sqrt J(π₁(·|s), π₂(·|s)).
enum MetricPrimitives {
  static let example = "let ex = two_state_mdp(p1: 0.25, horizon: 5)"

  static func policies(_ c: NativeCall, _ i: Int, _ mdp: TabularMDP?) throws -> (TabularPolicy, TabularPolicy) {
    let a = try RLValues.policy(c[i], c, "pi1"), b = try RLValues.policy(c[i + 1], c, "pi2")
    guard a.stateCount == b.stateCount, a.actionCount == b.actionCount else {
      throw c.error("pi1 is \(a.stateCount)×\(a.actionCount) but pi2 is \(b.stateCount)×\(b.actionCount) (states × actions)")
    }
    if let mdp { try TabularPrimitives.checkPolicy(mdp, a, c) }
    return (a, b)
  }

  static func policyList(_ v: Value, _ c: NativeCall, _ mdp: TabularMDP?) throws -> [TabularPolicy] {
    let ps = try v.listObject.items.enumerated().map { i, x in try RLValues.policy(x, c, "policies[\(i)]") }
    guard !ps.isEmpty else { throw c.error("policies is empty") }
    if let mdp { for p in ps { try TabularPrimitives.checkPolicy(mdp, p, c) } }
    return ps
  }

  static let pair = [ParameterSpec("pi1", RLValues.policyLike), ParameterSpec("pi2", RLValues.policyLike)]
  static let mdpParameter = ParameterSpec("mdp", RLValues.mdpLike, doc: "an mdp, a maze or a bandit")
  static let aggregateParameter = ParameterSpec("aggregate", .string, default: .string("sum"),
                                                doc: "\"sum\" over a trajectory's steps (Def. 4) or \"mean\" (the sum divided by H)")
  static let weightsParameter = ParameterSpec("weights", .optional(.list), default: .nil, doc: "state weights q_S (> 0 where used); uniform by default")

  static func optionalVector(_ c: NativeCall, _ i: Int, _ what: String) throws -> [Double]? {
    c.isGiven(i) ? try RLValues.vector(c[i], c, what) : nil
  }

  static let all: [Primitive] = [
    Primitive("policy_metric", pair + [weightsParameter,
                                       ParameterSpec("states", .optional(.list), default: .nil, doc: "a state sample: its empirical distribution replaces q_S"),
                                       RLValues.baseParameter],
              returns: "a float", category: "metrics",
              doc: "d_P (the note's Def. 2): Σ_s q_S(s) sqrt J(π₁(·|s), π₂(·|s)), the expected Jensen–Shannon distance under a full-support state distribution q_S — uniform over states by default, or given `weights` (all > 0, normalised), or the empirical distribution of a `states` sample. A weighted mean of metrics, so a metric on tables; blind to which states the policies actually visit.",
              example: "\(example)\nprint(policy_metric(ex.theta, ex.phi))  # 0.4163") { c in
      let (a, b) = try policies(c, 0, nil)
      let base = try RLValues.base(c, 4)
      if c.isGiven(3) {
        let states = try RLValues.states(c[3], c)
        return Value(try RLValues.run(c) { try policyMetric(a, b, states: states, base: base) })
      }
      let w = try optionalVector(c, 2, "weights")
      return Value(try RLValues.run(c) { try policyMetric(a, b, stateWeights: w, base: base) })
    },
    Primitive("equivalence_metric", [mdpParameter] + pair + [weightsParameter, RLValues.baseParameter], returns: "a float", category: "metrics",
              doc: "d_E (Def. 3): the mean of sqrt J(π₁(·|s), π₂(·|s)) over S' = reach(π₁) ∩ reach(π₂), the decision states both policies reach with non-zero probability (exact, by reachability on supports); weighted by q on S' when `weights` are given. 0 when S' is empty. Two policies that differ only on states neither reaches have d_E = 0.",
              example: "let ex = two_state_mdp(p1: 0)\nprint(equivalence_metric(ex.mdp, ex.theta, ex.phi))  # 0.0") { c in
      let mdp = try RLValues.mdp(c[0], c)
      let (a, b) = try policies(c, 1, mdp)
      let w = try optionalVector(c, 3, "weights"), base = try RLValues.base(c, 4)
      return Value(try RLValues.run(c) { try equivalencePolicyMetric(mdp, a, b, stateWeights: w, base: base) })
    },
    Primitive("common_states", [mdpParameter] + pair, returns: "a list of states", category: "metrics",
              doc: "S' of Def. 3: the decision states both policies reach with non-zero probability.",
              example: "\(example)\nprint(common_states(ex.mdp, ex.theta, ex.phi))  # [0, 1]") { c in
      let mdp = try RLValues.mdp(c[0], c)
      let (a, b) = try policies(c, 1, mdp)
      let common = try RLValues.run(c) { try commonlyReachedStates(mdp, a, b) }
      return RLValues.list(common.indices.filter { common[$0] }, c.vm)
    },
    Primitive("policy_divergence", [mdpParameter] + pair + [aggregateParameter, RLValues.baseParameter], returns: "a float", category: "metrics",
              doc: "P, the policy divergence (Def. 4): E_{τ~π₁}[Σ_{s∈τ} d(s)] + E_{τ~π₂}[Σ_{s∈τ} d(s)] with d(s) = sqrt J(π₁(·|s), π₂(·|s)), each policy scored on its own trajectories; exact through the state-visitation measures: Σ_s (D₁(s) + D₂(s)) d(s). A state visited twice counts twice. `aggregate: \"mean\"` divides by H. Not a metric: it violates the triangle inequality (docs/metrics.md).",
              example: "\(example)\nprint(policy_divergence(ex.mdp, ex.theta, ex.phi))  # 1.2489") { c in
      let mdp = try RLValues.mdp(c[0], c)
      let (a, b) = try policies(c, 1, mdp)
      let agg = try RLValues.aggregation(c, 3), base = try RLValues.base(c, 4)
      return Value(try RLValues.run(c) { try policyDivergence(mdp, a, b, aggregation: agg, base: base) })
    },
    Primitive("state_rule", pair + [ParameterSpec("states", .oneOf([.list, .range]), doc: "the sampled states s₁…s_N (repeats count)"),
                                    ParameterSpec("epsilon", .number, default: .float(0.2), doc: "the threshold ε > 0"), RLValues.baseParameter],
              returns: "a record {mean_distance, similar, epsilon}", category: "metrics",
              doc: "The note's §II rule: (1/N) Σₖ sqrt J(π₁(·|s_k), π₂(·|s_k)) over sampled states, and the label `similar` = mean < ε.",
              example: "\(example)\nlet r = state_rule(ex.theta, ex.phi, [0, 0, 1], epsilon: 0.5)\nprint(r.similar)  # true") { c in
      let (a, b) = try policies(c, 0, nil)
      let states = try RLValues.states(c[2], c)
      let base = try RLValues.base(c, 4)
      let r = try RLValues.run(c) { try sampledStateRule(a, b, states: states, epsilon: c.double(3), base: base) }
      return RLValues.record([("mean_distance", Value(r.meanDistance)), ("similar", Value(r.similar)), ("epsilon", Value(r.epsilon))], c.vm)
    },
    Primitive("sample_states", [ParameterSpec("distribution", .list, doc: "a probability vector over states (e.g. a normalised occupancy)"),
                                ParameterSpec("count", .int), RLValues.seedParameter],
              returns: "a list of states", category: "metrics",
              doc: "`count` states drawn independently from a distribution, for the §II rule.",
              example: "print(len(sample_states([0.5, 0.5], 10, seed: 1)))  # 10") { c in
      guard c.int(1) <= 100_000_000 else { throw c.error("count must be at most 100000000, got \(c.int(1))") }
      let d = try RLValues.vector(c[0], c, "distribution")
      return RLValues.list(try RLValues.withGenerator(c, seedIndex: 2) { g in try sampleStates(from: d, count: c.int(1), using: &g) }, c.vm)
    },
    Primitive("pairwise_metrics", [mdpParameter, ParameterSpec("policies", .list), aggregateParameter, weightsParameter, RLValues.baseParameter],
              returns: "a record {d_P, d_E, P} of N×N matrices", category: "metrics",
              doc: "d_P, d_E and P for every pair of N policies at once: one occupancy and one reachability computation per policy and one state-wise distance vector per unordered pair, shared by the three metrics (O(N·H·S²·A + N²·S·A)).",
              example: "\(example)\nlet m = pairwise_metrics(ex.mdp, [ex.theta, ex.phi, uniform_policy(ex.mdp)])\nprint(len(m.P), m.P[0][0])  # 3 0.0") { c in
      let mdp = try RLValues.mdp(c[0], c)
      let ps = try policyList(c[1], c, mdp)
      let agg = try RLValues.aggregation(c, 2), w = try optionalVector(c, 3, "weights"), base = try RLValues.base(c, 4)
      let m = try RLValues.run(c) { try pairwisePolicyMetrics(mdp, ps, stateWeights: w, aggregation: agg, base: base) }
      return RLValues.record([("d_P", RLValues.matrix(m.policyMetric, c.vm)), ("d_E", RLValues.matrix(m.equivalencePolicyMetric, c.vm)),
                              ("P", RLValues.matrix(m.policyDivergence, c.vm))], c.vm)
    },
    Primitive("pairwise_state_rule", [ParameterSpec("policies", .list), ParameterSpec("states", .oneOf([.list, .range])),
                                      ParameterSpec("epsilon", .number, default: .float(0.2)), RLValues.baseParameter],
              returns: "a record {mean_distance, similar} of N×N matrices", category: "metrics",
              doc: "The §II rule for every pair of N policies on one state sample.",
              example: "\(example)\nprint(pairwise_state_rule([ex.theta, ex.phi], [0, 1], epsilon: 0.1).similar)") { c in
      let ps = try policyList(c[0], c, nil)
      let states = try RLValues.states(c[1], c), base = try RLValues.base(c, 3)
      let r = try RLValues.run(c) { try pairwiseSampledStateRule(ps, states: states, epsilon: c.double(2), base: base) }
      return RLValues.record([("mean_distance", RLValues.matrix(r.meanDistance, c.vm)),
                              ("similar", c.vm.heap.makeList(r.similar.map { RLValues.list($0, c.vm) }))], c.vm)
    },
    Primitive("policy_divergence_estimate", [mdpParameter] + pair + [ParameterSpec("episodes", .int, default: .int(1000), doc: "episodes sampled from each policy"),
                                                                    aggregateParameter, RLValues.baseParameter, RLValues.seedParameter],
              returns: "a record {value, std_error, samples}", category: "metrics",
              doc: "A Monte-Carlo estimate of P (Def. 4) from sampled episodes of each policy (unbiased; standard error sqrt(Var₁/n + Var₂/n)). Agrees with `policy_divergence` within its confidence interval.",
              example: "\(example)\nlet e = policy_divergence_estimate(ex.mdp, ex.theta, ex.phi, episodes: 2000, seed: 1)\nprint(abs(e.value - 1.2489) < 4 * e.std_error)  # true") { c in
      let mdp = try RLValues.mdp(c[0], c)
      let (a, b) = try policies(c, 1, mdp)
      let agg = try RLValues.aggregation(c, 4), base = try RLValues.base(c, 5)
      return RLValues.estimate(try RLValues.withGenerator(c, seedIndex: 6) { g in
        try policyDivergenceEstimate(mdp, a, b, episodes: c.int(3), aggregation: agg, base: base, using: &g)
      }, c.vm)
    },
    Primitive("equivalence_metric_estimate", [mdpParameter] + pair + [ParameterSpec("episodes", .int, default: .int(1000)), RLValues.baseParameter, RLValues.seedParameter],
              returns: "a record {value, std_error, samples}", category: "metrics",
              doc: "A Monte-Carlo estimate of d_E (Def. 3) from sampled episodes: Ŝ' = the states visited by both samples (consistent, exact once S' is covered); standard error by bootstrap over episodes.",
              example: "\(example)\nprint(equivalence_metric_estimate(ex.mdp, ex.theta, ex.phi, episodes: 500, seed: 2).value)  # 0.4163") { c in
      let mdp = try RLValues.mdp(c[0], c)
      let (a, b) = try policies(c, 1, mdp)
      let base = try RLValues.base(c, 4)
      return RLValues.estimate(try RLValues.withGenerator(c, seedIndex: 5) { g in
        try equivalencePolicyMetricEstimate(mdp, a, b, episodes: c.int(3), base: base, using: &g)
      }, c.vm)
    },
    Primitive("pairwise_equivalence_estimates", [mdpParameter, ParameterSpec("policies", .list), ParameterSpec("episodes", .int, default: .int(1000)),
                                                 RLValues.baseParameter, RLValues.seedParameter],
              returns: "an N×N matrix", category: "metrics",
              doc: "Monte-Carlo estimates of d_E for every pair of N policies (Ŝ' from each pair's samples; each policy's episodes sampled once).",
              example: "\(example)\nprint(pairwise_equivalence_estimates(ex.mdp, [ex.theta, ex.phi], episodes: 200, seed: 1)[0][1])") { c in
      let mdp = try RLValues.mdp(c[0], c)
      let ps = try policyList(c[1], c, mdp)
      let base = try RLValues.base(c, 3)
      return RLValues.matrix(try RLValues.withGenerator(c, seedIndex: 4) { g in
        try pairwiseEquivalencePolicyMetricEstimates(mdp, ps, episodes: c.int(2), base: base, using: &g)
      }, c.vm)
    },
    Primitive("pairwise_divergence_estimates", [mdpParameter, ParameterSpec("policies", .list), ParameterSpec("episodes", .int, default: .int(1000)),
                                                aggregateParameter, RLValues.baseParameter, RLValues.seedParameter],
              returns: "a record {value, std_error} of N×N matrices", category: "metrics",
              doc: "Monte-Carlo estimates of P for every pair of N policies, each policy's episodes sampled once and scored against every other policy.",
              example: "\(example)\nprint(pairwise_divergence_estimates(ex.mdp, [ex.theta, ex.phi], episodes: 100, seed: 1).value[0][0])  # 0.0") { c in
      let mdp = try RLValues.mdp(c[0], c)
      let ps = try policyList(c[1], c, mdp)
      let agg = try RLValues.aggregation(c, 3), base = try RLValues.base(c, 4)
      let m = try RLValues.withGenerator(c, seedIndex: 5) { g in
        try pairwisePolicyDivergenceEstimates(mdp, ps, episodes: c.int(2), aggregation: agg, base: base, using: &g)
      }
      return RLValues.record([("value", RLValues.matrix(m.map { $0.map(\.value) }, c.vm)),
                              ("std_error", RLValues.matrix(m.map { $0.map(\.standardError) }, c.vm))], c.vm)
    },
  ]
}
