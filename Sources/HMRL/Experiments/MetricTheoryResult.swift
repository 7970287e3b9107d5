/// Types of the metric-theory experiment (`runMetricTheoryExperiment`), with the tables it
/// reports. Every result embeds its configuration.

/// What the experiment draws. Each field has a documented default; the defaults give 10 000
/// policy triples (30 000 pairs) and 10 000 distribution triples.
public struct MetricTheoryConfiguration: Sendable, Equatable {
  /// Random tabular MDPs drawn.
  public var mdpCount: Int = 500
  /// Policy triples drawn on each MDP (total triples = mdpCount · triplesPerMDP).
  public var triplesPerMDP: Int = 20
  /// |S| of each MDP, uniform in this range.
  public var stateCounts: ClosedRange<Int> = 3...6
  /// |A| of each MDP, uniform in this range.
  public var actionCounts: ClosedRange<Int> = 2...3
  /// H of each MDP, uniform in this range.
  public var horizons: ClosedRange<Int> = 2...6
  /// Successors per (s, a), at most (sparse transitions make reachability differ).
  public var maxSuccessors: Int = 2
  /// Probability that a policy is one-hot in a state.
  public var deterministicProbability: Double = 0.3
  /// Probability that an action is left out of a stochastic state's support.
  public var zeroProbability: Double = 0.3
  /// Probability that a triple is built with one policy a copy of another re-drawn only on the
  /// states the original never reaches (behaviourally equivalent pairs, Def. 1); otherwise all
  /// three are independent.
  public var equivalentPairProbability: Double = 0.5
  /// Triples of categorical distributions for the Jensen–Shannon checks.
  public var distributionTriples: Int = 10_000
  /// Categories of those distributions, uniform in this range.
  public var categoryCounts: ClosedRange<Int> = 2...6
  /// Relative tolerance of every comparison (d(x,z) ≤ (d(x,y) + d(y,z))·(1 + tolerance)).
  public var tolerance: Double = 1e-12

  public init() {}
}

/// Summary statistics of a sample of ratios.
public struct RatioSummary: Sendable, Equatable {
  public let count: Int
  public let minimum: Double
  public let mean: Double
  public let median: Double
  public let percentile95: Double
  public let maximum: Double

  init(_ values: [Double]) {
    let sorted = values.sorted()
    count = sorted.count
    guard let first = sorted.first, let last = sorted.last else {
      minimum = .nan; mean = .nan; median = .nan; percentile95 = .nan; maximum = .nan
      return
    }
    minimum = first
    maximum = last
    mean = sorted.reduce(0, +) / Double(sorted.count)
    median = sorted[sorted.count / 2]
    percentile95 = sorted[min(sorted.count - 1, Int(0.95 * Double(sorted.count)))]
  }
}

/// How one distance fared against the metric axioms.
public struct MetricAxiomCounts: Sendable, Equatable {
  /// `sqrtJ`, `d_P`, `d_E` or `P`.
  public let name: String
  /// d(x, x) ≠ 0 (checked once per policy/distribution).
  public var selfDistanceNonzero = 0
  /// d(x, y) = 0 although x and y are distinguishable: different tables for sqrt J and d_P,
  /// different trajectory distributions (not x ~ y, Def. 1) for d_E and P.
  public var zeroButDistinguishable = 0
  /// d(x, y) > 0 although x and y are indistinguishable in the same sense.
  public var positiveButIndistinguishable = 0
  /// Pairs checked for the two counts above and for symmetry.
  public var pairChecks = 0
  /// |d(x, y) − d(y, x)| above tolerance.
  public var symmetryViolations = 0
  /// Triangle inequalities checked (three per triple: each side as the long one).
  public var triangleChecks = 0
  /// d(x, z) > (d(x, y) + d(y, z))·(1 + tolerance).
  public var triangleViolations = 0
  /// Triples with at least one violated triangle inequality.
  public var triplesWithTriangleViolation = 0
  /// Of those, triples built with a behaviourally equivalent pair (see
  /// `MetricTheoryConfiguration.equivalentPairProbability`); 0 for sqrt J.
  public var violatingTriplesWithEquivalentPair = 0
  /// max over checks of d(x, z) / (d(x, y) + d(y, z)) (> 1 means a violation; 0/0 counts as 0).
  public var worstTriangleRatio = 0.0
  /// Per triple: min over the three orderings of d(x, y) + d(y, z) − d(x, z) (negative values are
  /// violations), for a histogram.
  public var triangleSlack: [Double] = []

  /// Identity violations of any kind.
  public var identityViolations: Int { selfDistanceNonzero + zeroButDistinguishable + positiveButIndistinguishable }

  init(name: String) { self.name = name }
}

/// One concrete violation of the triangle inequality by a policy distance.
public struct TriangleCounterexample: Sendable, Equatable {
  /// The MDP.
  public let mdp: TabularMDP
  /// x, y, z.
  public let policies: [TabularPolicy]
  /// d(x, y), d(y, z), d(x, z), with d(x, z) > d(x, y) + d(y, z).
  public let distances: (xy: Double, yz: Double, xz: Double)

  public static func == (a: Self, b: Self) -> Bool {
    a.mdp == b.mdp && a.policies == b.policies && a.distances == b.distances
  }
}

/// How tight the note's two Jensen–Shannon bounds are.
public struct BoundTightness: Sendable, Equatable {
  /// Distribution pairs checked.
  public var pairs = 0
  /// Pairs with J > S/2 (beyond tolerance). The bound is a theorem: expected 0.
  public var halfSymmetricViolations = 0
  /// Pairs with J > ln(2/(1+e^(−S))) (beyond tolerance). Expected 0.
  public var logarithmicViolations = 0
  /// Pairs with S = +∞ (different supports); there S/2 = ∞ and the log bound is ln 2.
  public var infiniteSymmetricKL = 0
  /// J / (S/2) over pairs with finite S > 1e-8.
  public var halfSymmetricRatio: RatioSummary = RatioSummary([])
  /// J / ln(2/(1+e^(−S))) over pairs with S > 1e-8 (including S = ∞).
  public var logarithmicRatio: RatioSummary = RatioSummary([])
  /// J / ln(2/(1+e^(−S))) over pairs with finite S > 1e-8.
  public var logarithmicRatioFiniteS: RatioSummary = RatioSummary([])
  /// (J, S/2, log bound) for the distribution pairs, for a scatter plot; `[pairs]` each.
  public var jensenShannon: [Double] = []
  public var halfSymmetricBound: [Double] = []
  public var logarithmicBound: [Double] = []
}

/// Everything the metric-theory experiment found.
public struct MetricTheoryResult: Sendable, Equatable {
  /// The configuration the experiment ran with.
  public let configuration: MetricTheoryConfiguration
  /// Policy triples drawn (on `configuration.mdpCount` MDPs).
  public let policyTriples: Int
  /// Policy pairs compared (three per triple).
  public let policyPairs: Int
  /// Pairs that were behaviourally equivalent (Def. 1) although their tables differ.
  public let equivalentDistinctPairs: Int
  /// Triples built with one policy a re-drawn copy of another off its reachable states.
  public let triplesWithEquivalentPair: Int
  /// sqrt J on distribution triples.
  public let jensenShannonDistance: MetricAxiomCounts
  /// d_P (Def. 2, uniform q_S).
  public let policyMetric: MetricAxiomCounts
  /// d_E (Def. 3, uniform q_{S'}).
  public let equivalencePolicyMetric: MetricAxiomCounts
  /// P (Def. 4, summed).
  public let policyDivergence: MetricAxiomCounts
  /// A triangle violation of P on the smallest MDP where one was found.
  public let policyDivergenceCounterexample: TriangleCounterexample?
  /// A triangle violation of d_E, if any was found (the note claims none exists).
  public let equivalencePolicyMetricCounterexample: TriangleCounterexample?
  /// The two JS bounds on every distribution pair (random triples and policy rows).
  public let bounds: BoundTightness

  /// The four distances in report order.
  public var axiomCounts: [MetricAxiomCounts] {
    [jensenShannonDistance, policyMetric, equivalencePolicyMetric, policyDivergence]
  }

  /// A CSV table, one row per distance:
  /// `distance,pair_checks,identity_violations,symmetry_violations,triangle_checks,triangle_violations,triples_with_violation,worst_triangle_ratio`.
  public func csvTable() -> String {
    var lines = ["distance,pair_checks,identity_violations,symmetry_violations,triangle_checks,triangle_violations,triples_with_violation,worst_triangle_ratio"]
    for c in axiomCounts {
      lines.append("\(c.name),\(c.pairChecks),\(c.identityViolations),\(c.symmetryViolations),\(c.triangleChecks),\(c.triangleViolations),\(c.triplesWithTriangleViolation),\(c.worstTriangleRatio)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A markdown summary: the axiom table, the bound tightness, and the counterexample for P.
  public func markdownSummary() -> String {
    func f(_ x: Double) -> String {
      x.isNaN ? "–" : String(describing: (x * 10_000).rounded() / 10_000)
    }
    var out = "| distance | pairs | identity viol. | symmetry viol. | triangle checks | triangle viol. | triples with viol. | worst d(x,z)/(d(x,y)+d(y,z)) |\n"
    out += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    for c in axiomCounts {
      out += "| \(c.name) | \(c.pairChecks) | \(c.identityViolations) | \(c.symmetryViolations) | \(c.triangleChecks) | \(c.triangleViolations) | \(c.triplesWithTriangleViolation) | \(f(c.worstTriangleRatio)) |\n"
    }
    out += "\nPolicy triples: \(policyTriples) (\(policyPairs) pairs, \(equivalentDistinctPairs) of them behaviourally equivalent with different tables); "
    out += "\(triplesWithEquivalentPair) triples were built with an equivalent pair. Triangle-violating triples among those: "
    out += "d_E \(equivalencePolicyMetric.violatingTriplesWithEquivalentPair) of \(equivalencePolicyMetric.triplesWithTriangleViolation), "
    out += "P \(policyDivergence.violatingTriplesWithEquivalentPair) of \(policyDivergence.triplesWithTriangleViolation).\n"
    out += "\nJS bounds on \(bounds.pairs) distribution pairs: J > S/2 on \(bounds.halfSymmetricViolations), "
    out += "J > ln(2/(1+e^−S)) on \(bounds.logarithmicViolations); S = ∞ on \(bounds.infiniteSymmetricKL).\n\n"
    out += "| ratio | n | min | mean | median | 95% | max |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    for (name, r) in [("J / (S/2), finite S", bounds.halfSymmetricRatio),
                      ("J / ln(2/(1+e^−S)), finite S", bounds.logarithmicRatioFiniteS),
                      ("J / ln(2/(1+e^−S)), all S (∞ → ln 2)", bounds.logarithmicRatio)] {
      out += "| \(name) | \(r.count) | \(f(r.minimum)) | \(f(r.mean)) | \(f(r.median)) | \(f(r.percentile95)) | \(f(r.maximum)) |\n"
    }
    for (name, example) in [("P", policyDivergenceCounterexample), ("d_E", equivalencePolicyMetricCounterexample)] {
      guard let example else { out += "\nNo triangle violation of \(name) found.\n"; continue }
      out += "\nCounterexample for \(name) (|S| = \(example.mdp.stateCount), |A| = \(example.mdp.actionCount), H = \(example.mdp.horizon)): "
      out += "\(name)(x,y) = \(f(example.distances.xy)), \(name)(y,z) = \(f(example.distances.yz)), \(name)(x,z) = \(f(example.distances.xz)).\n"
    }
    return out
  }
}
