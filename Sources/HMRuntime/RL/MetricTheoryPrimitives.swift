import HMRL

/// The note's first experiment (HMRL's `runMetricTheoryExperiment`) as one primitive; the
/// script `scripts/metric_theory.hm` writes its tables and figures.
enum MetricTheoryPrimitives {
  static func counts(_ a: MetricAxiomCounts, _ vm: VM) -> Value {
    RLValues.record([("distance", vm.heap.makeString(a.name)), ("pair_checks", Value(a.pairChecks)),
                     ("identity_violations", Value(a.identityViolations)), ("symmetry_violations", Value(a.symmetryViolations)),
                     ("triangle_checks", Value(a.triangleChecks)), ("triangle_violations", Value(a.triangleViolations)),
                     ("triples_with_violation", Value(a.triplesWithTriangleViolation)),
                     ("violating_with_equivalent_pair", Value(a.violatingTriplesWithEquivalentPair)),
                     ("worst_triangle_ratio", Value(a.worstTriangleRatio))], vm)
  }

  static func summary(_ r: RatioSummary, _ vm: VM) -> Value {
    RLValues.record([("n", Value(r.count)), ("min", Value(r.minimum)), ("mean", Value(r.mean)), ("median", Value(r.median)),
                     ("p95", Value(r.percentile95)), ("max", Value(r.maximum))], vm)
  }

  static func counterexample(_ e: TriangleCounterexample?, _ vm: VM) -> Value {
    guard let e else { return .nil }
    return RLValues.record([("mdp", vm.heap.makeObject(MDPBox(e.mdp))),
                            ("policies", vm.heap.makeList(e.policies.map { RLValues.makePolicy($0, vm) })),
                            ("xy", Value(e.distances.xy)), ("yz", Value(e.distances.yz)), ("xz", Value(e.distances.xz))], vm)
  }

  static let all: [Primitive] = [
    Primitive("metric_theory", [ParameterSpec("mdps", .int, default: .int(500), doc: "random tabular MDPs drawn"),
                                ParameterSpec("triples_per_mdp", .int, default: .int(20), doc: "policy triples per MDP"),
                                ParameterSpec("distribution_triples", .int, default: .int(10_000), doc: "categorical triples for sqrt J"),
                                ParameterSpec("equivalent_fraction", .number, default: .float(0.5), doc: "probability that a triple holds a behaviourally equivalent pair (Def. 1)"),
                                ParameterSpec("max_states", .int, default: .int(6), doc: "|S| uniform in 3…max_states"),
                                ParameterSpec("max_horizon", .int, default: .int(6), doc: "H uniform in 2…max_horizon"),
                                ParameterSpec("tolerance", .number, default: .float(1e-12), doc: "relative tolerance of every comparison"),
                                ParameterSpec("seed", .int, default: .int(2026))],
              returns: "a record (see doc)", category: "metrics",
              doc: "The research note's first experiment: over seeded random tabular MDPs and policies, counts violations of identity, symmetry and the triangle inequality for sqrt J, d_P, d_E and P, and checks both JS bounds on every distribution pair. Returns {seed, settings, policy_triples, policy_pairs, equivalent_distinct_pairs, table (one record per distance), bounds {pairs, half_symmetric_violations, logarithmic_violations, infinite_s, half_ratio, log_ratio, log_ratio_finite}, js, half_bound, log_bound (per pair), slack {name: per-triple min triangle slack}, counterexample {P, d_E}, csv, markdown}. The defaults (500 × 20 = 10 000 policy triples) run in a few seconds.",
              example: "let r = metric_theory(mdps: 5, triples_per_mdp: 4, distribution_triples: 20, seed: 1)\nprint(r.policy_triples, r.table[1].distance)  # 20 d_P") { c in
      var config = MetricTheoryConfiguration()
      config.mdpCount = c.int(0); config.triplesPerMDP = c.int(1); config.distributionTriples = c.int(2)
      config.equivalentPairProbability = c.double(3)
      guard c.int(4) >= 3, c.int(5) >= 2 else { throw c.error("max_states must be >= 3 and max_horizon >= 2, got \(c.int(4)) and \(c.int(5))") }
      guard c.int(4) <= 64, c.int(5) <= 1000 else { throw c.error("max_states must be <= 64 and max_horizon <= 1000") }
      guard (1...10_000_000).contains(c.int(0)), (1...10_000_000).contains(c.int(1)), (0...10_000_000).contains(c.int(2)),
            c.int(0) * c.int(1) <= 10_000_000 else {
        throw c.error("mdps and triples_per_mdp must be >= 1, distribution_triples >= 0, and at most 10 000 000 triples of each kind")
      }
      config.stateCounts = 3...c.int(4); config.horizons = 2...c.int(5)
      config.tolerance = c.double(6)
      guard c.int(7) >= 0 else { throw c.error("seed must be non-negative, got \(c.int(7))") }
      var generator = ScriptRandom(seed: UInt64(c.int(7)))
      let r = try RLValues.run(c) { try runMetricTheoryExperiment(config, using: &generator) }
      let vm = c.vm
      let settings = RLValues.record([("mdps", Value(config.mdpCount)), ("triples_per_mdp", Value(config.triplesPerMDP)),
                                      ("distribution_triples", Value(config.distributionTriples)),
                                      ("equivalent_fraction", Value(config.equivalentPairProbability)),
                                      ("states", vm.heap.makeString("\(config.stateCounts.lowerBound)..\(config.stateCounts.upperBound)")),
                                      ("actions", vm.heap.makeString("\(config.actionCounts.lowerBound)..\(config.actionCounts.upperBound)")),
                                      ("horizons", vm.heap.makeString("\(config.horizons.lowerBound)..\(config.horizons.upperBound)")),
                                      ("max_successors", Value(config.maxSuccessors)),
                                      ("deterministic_probability", Value(config.deterministicProbability)),
                                      ("zero_probability", Value(config.zeroProbability)),
                                      ("tolerance", Value(config.tolerance)), ("generator", vm.heap.makeString("xoshiro256** seeded by SplitMix64"))], vm)
      let b = r.bounds
      let bounds = RLValues.record([("pairs", Value(b.pairs)), ("half_symmetric_violations", Value(b.halfSymmetricViolations)),
                                    ("logarithmic_violations", Value(b.logarithmicViolations)), ("infinite_s", Value(b.infiniteSymmetricKL)),
                                    ("half_ratio", summary(b.halfSymmetricRatio, vm)), ("log_ratio", summary(b.logarithmicRatio, vm)),
                                    ("log_ratio_finite", summary(b.logarithmicRatioFiniteS, vm))], vm)
      let slack = RLValues.record(r.axiomCounts.map { ($0.name, RLValues.list($0.triangleSlack, vm)) }, vm)
      return RLValues.record([
        ("seed", Value(c.int(7))), ("settings", settings),
        ("policy_triples", Value(r.policyTriples)), ("policy_pairs", Value(r.policyPairs)),
        ("equivalent_distinct_pairs", Value(r.equivalentDistinctPairs)), ("triples_with_equivalent_pair", Value(r.triplesWithEquivalentPair)),
        ("table", vm.heap.makeList(r.axiomCounts.map { counts($0, vm) })), ("bounds", bounds),
        ("js", RLValues.list(b.jensenShannon, vm)), ("half_bound", RLValues.list(b.halfSymmetricBound, vm)),
        ("log_bound", RLValues.list(b.logarithmicBound, vm)), ("slack", slack),
        ("counterexample", RLValues.record([("P", counterexample(r.policyDivergenceCounterexample, vm)),
                                            ("d_E", counterexample(r.equivalencePolicyMetricCounterexample, vm))], vm)),
        ("csv", vm.heap.makeString(r.csvTable())), ("markdown", vm.heap.makeString(r.markdownSummary())),
      ], vm)
    },
  ]
}
