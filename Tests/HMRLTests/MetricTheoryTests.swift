import Foundation
import Testing
@testable import HMRL

@Suite struct MetricTheoryTests {
  /// The full experiment at its default size (10 000 policy triples, 10 000 distribution
  /// triples), seeded. The summary it prints is what docs/metrics.md reports.
  @Test func fullExperimentAtDefaultSize() throws {
    var g = SplitMix64(seed: 2026)
    let start = Date()
    let result = try runMetricTheoryExperiment(using: &g)
    let seconds = Date().timeIntervalSince(start)
    print("metric theory experiment (seed 2026, SplitMix64), \(seconds) s\n" + result.markdownSummary())
    print(result.csvTable())
    if let example = result.policyDivergenceCounterexample {
      print("P counterexample MDP: P=\(example.mdp.transitions) r=\(example.mdp.expectedRewards) p0=\(example.mdp.initialDistribution) H=\(example.mdp.horizon)")
      for p in example.policies { print("  policy \(p.probabilities)") }
    }
    #expect(result.policyTriples >= 10_000)
    #expect(result.jensenShannonDistance.triangleChecks >= 30_000)
    // Theorems: these must hold.
    for counts in [result.jensenShannonDistance, result.policyMetric] {
      #expect(counts.triangleViolations == 0, "\(counts.name) violated the triangle inequality")
      #expect(counts.identityViolations == 0 && counts.symmetryViolations == 0, "\(counts.name)")
    }
    #expect(result.bounds.halfSymmetricViolations == 0 && result.bounds.logarithmicViolations == 0)
    #expect(result.bounds.logarithmicRatio.maximum <= 1 && result.bounds.halfSymmetricRatio.maximum <= 1)
    // By construction P and d_E vanish exactly on equivalent pairs (Def. 1) and are symmetric.
    for counts in [result.equivalencePolicyMetric, result.policyDivergence] {
      #expect(counts.identityViolations == 0 && counts.symmetryViolations == 0, "\(counts.name)")
    }
    // The note: P is not a metric. A counterexample must exist and be a real violation.
    let example = try #require(result.policyDivergenceCounterexample)
    #expect(example.distances.xz > example.distances.xy + example.distances.yz)
    let recomputed = try policyDivergence(example.mdp, example.policies[0], example.policies[2])
    #expect(recomputed == example.distances.xz)
    // d_E: the note claims a metric; any violation found must be real (recomputed by the public API).
    if let e = result.equivalencePolicyMetricCounterexample {
      let (x, y, z) = (e.policies[0], e.policies[1], e.policies[2])
      let xy = try equivalencePolicyMetric(e.mdp, x, y), yz = try equivalencePolicyMetric(e.mdp, y, z)
      let xz = try equivalencePolicyMetric(e.mdp, x, z)
      #expect(xz > xy + yz)
      print("d_E counterexample: S' sets xy \(try commonlyReachedStates(e.mdp, x, y)), yz \(try commonlyReachedStates(e.mdp, y, z)), xz \(try commonlyReachedStates(e.mdp, x, z))")
      print("d_E counterexample MDP: P=\(e.mdp.transitions) p0=\(e.mdp.initialDistribution) H=\(e.mdp.horizon)")
      for p in e.policies { print("  policy \(p.probabilities)") }
    }
  }

  @Test func seededRunsAreReproducibleAndConfigurationIsChecked() throws {
    var configuration = MetricTheoryConfiguration()
    configuration.mdpCount = 20
    configuration.triplesPerMDP = 5
    configuration.distributionTriples = 100
    var g1 = SplitMix64(seed: 1), g2 = SplitMix64(seed: 1)
    let a = try runMetricTheoryExperiment(configuration, using: &g1)
    let b = try runMetricTheoryExperiment(configuration, using: &g2)
    #expect(a == b)
    #expect(a.configuration == configuration)
    #expect(a.csvTable().split(separator: "\n").count == 5)
    configuration.mdpCount = 0
    expectRLError(.invalidArgument, containing: "metricTheory: counts must be >= 1") {
      try runMetricTheoryExperiment(configuration, using: &g1)
    }
  }
}
