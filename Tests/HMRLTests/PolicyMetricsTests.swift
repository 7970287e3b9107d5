import Foundation
import Testing
@testable import HMRL

@Suite struct PolicyMetricsTests {
  /// The note's §IV.A: π_θ stays in 0 and 1, π_φ stays in 0 but switches in 1.
  @Test func twoStateExampleFromTheNote() throws {
    let (theta, phi) = try twoStateExamplePolicies()
    let neverReached = try twoStateMDP(probabilityOfStartingInState1: 0, horizon: 5)
    #expect(try equivalencePolicyMetric(neverReached, theta, phi) == 0)
    #expect(try policyDivergence(neverReached, theta, phi) == 0)
    // d_P: uniform over {0, 1}, sqrt J = 0 in state 0 and sqrt(ln 2) in state 1.
    expectRelative(try policyMetric(theta, phi), 0.5 * log(2).squareRoot(), 1e-15, "d_P")
    #expect(try commonlyReachedStates(neverReached, theta, phi) == [true, false])

    let reached = try twoStateMDP(probabilityOfStartingInState1: 0.25, horizon: 5)
    let dE = try equivalencePolicyMetric(reached, theta, phi)
    let p = try policyDivergence(reached, theta, phi)
    let dP = try policyMetric(theta, phi)
    #expect(dE > 0 && p > 0 && dP > 0)
    // Both policies reach both states: S' = S, so d_E = d_P here.
    expectRelative(dE, try policyMetric(theta, phi), 1e-15, "d_E with S' = S")
    // P by hand: θ started in 1 stays there for 5 decisions: 0.25·5; φ started in 1 leaves at
    // t = 0 and then stays in 0: 0.25·1. Each decision in state 1 costs sqrt(ln 2).
    expectRelative(p, (0.25 * 5 + 0.25 * 1) * log(2).squareRoot(), 1e-14, "P by hand")
    expectRelative(try policyDivergence(reached, theta, phi, aggregation: .averageOverSteps), p / 5, 1e-15, "P averaged")
    // Soft policies reach every state from state 0 alone: all three are positive.
    let (softTheta, softPhi) = try twoStateExamplePolicies(softness: 0.1)
    #expect(try equivalencePolicyMetric(neverReached, softTheta, softPhi) > 0)
    #expect(try policyDivergence(neverReached, softTheta, softPhi) > 0)
  }

  @Test func exactMetricsAgreeWithMonteCarlo() throws {
    var g = SplitMix64(seed: 42)
    var checked = 0
    while checked < 4 {
      let mdp = try randomTabularMDP(stateCount: 6, actionCount: 3, horizon: 6, maxSuccessors: 2, using: &g)
      let a = try randomTabularPolicy(stateCount: 6, actionCount: 3, using: &g)
      let b = try randomTabularPolicy(stateCount: 6, actionCount: 3, using: &g)
      let exactP = try policyDivergence(mdp, a, b)
      let exactE = try equivalencePolicyMetric(mdp, a, b)
      let estimateP = try policyDivergenceEstimate(mdp, a, b, episodes: 4_000, using: &g)
      expectWithinStandardErrors(estimateP.value, exactP, standardError: estimateP.standardError, z: 4,
                                 "P, MDP \(checked)")
      let estimateAvg = try policyDivergenceEstimate(mdp, a, b, episodes: 4_000, aggregation: .averageOverSteps, using: &g)
      expectWithinStandardErrors(estimateAvg.value, exactP / 6, standardError: estimateAvg.standardError, z: 4,
                                 "P averaged, MDP \(checked)")
      let estimateE = try equivalencePolicyMetricEstimate(mdp, a, b, episodes: 4_000, bootstrapResamples: 50, using: &g)
      expectWithinStandardErrors(estimateE.value, exactE, standardError: estimateE.standardError, z: 4,
                                 "d_E, MDP \(checked)")
      checked += 1
    }
    // A maze with slip, where P > 0 needs many states.
    let maze = try GridMaze(map: "S..\n.#.\n..G", horizon: 8, slippery: true)
    let a = try valueIteration(maze.mdp).firstStepPolicy(actionCount: 4)
    let b = try TabularPolicy.uniform(stateCount: maze.stateCount, actionCount: 4)
    let estimate = try policyDivergenceEstimate(maze.mdp, a, b, episodes: 4_000, using: &g)
    expectWithinStandardErrors(estimate.value, try policyDivergence(maze.mdp, a, b),
                               standardError: estimate.standardError, z: 4, "P on the slippery maze")
    let estimateE = try equivalencePolicyMetricEstimate(maze.mdp, a, b, episodes: 2_000, bootstrapResamples: 50, using: &g)
    expectWithinStandardErrors(estimateE.value, try equivalencePolicyMetric(maze.mdp, a, b),
                               standardError: estimateE.standardError, z: 4, "d_E on the slippery maze")
  }

  @Test func pairwiseMatricesMatchSinglePairs() throws {
    var g = SplitMix64(seed: 8)
    let mdp = try randomTabularMDP(stateCount: 5, actionCount: 3, horizon: 5, using: &g)
    let policies = try (0..<5).map { _ in try randomTabularPolicy(stateCount: 5, actionCount: 3, using: &g) }
    let weights = [1.0, 2, 3, 4, 5]
    let m = try pairwisePolicyMetrics(mdp, policies, stateWeights: weights)
    for i in 0..<5 {
      #expect(m.policyMetric[i][i] == 0 && m.policyDivergence[i][i] == 0 && m.equivalencePolicyMetric[i][i] == 0)
      for j in 0..<5 where i != j {
        #expect(m.policyMetric[i][j] == m.policyMetric[j][i])
        expectRelative(m.policyMetric[i][j], try policyMetric(policies[i], policies[j], stateWeights: weights), 1e-14, "d_P \(i),\(j)")
        expectRelative(m.equivalencePolicyMetric[i][j],
                       try equivalencePolicyMetric(mdp, policies[i], policies[j], stateWeights: weights), 1e-14, "d_E \(i),\(j)")
        expectRelative(m.policyDivergence[i][j], try policyDivergence(mdp, policies[i], policies[j]), 1e-14, "P \(i),\(j)")
      }
    }
    let visitsEverything = try pairwiseEquivalencePolicyMetricEstimates(mdp, policies, episodes: 3_000, using: &g)
    let uniform = try pairwisePolicyMetrics(mdp, policies)
    for i in 0..<5 {
      for j in 0..<5 where i != j {
        // 3 000 episodes of ≤ 5 steps on 5 states: every reachable state is seen (Pr(miss) tiny).
        expectRelative(visitsEverything[i][j], uniform.equivalencePolicyMetric[i][j],
                       1e-12, "pairwise MC d_E \(i),\(j) (uniform q)")
      }
    }
    let estimates = try pairwisePolicyDivergenceEstimates(mdp, policies, episodes: 2_000, using: &g)
    for i in 0..<5 {
      for j in (i + 1)..<5 {
        expectWithinStandardErrors(estimates[i][j].value, m.policyDivergence[i][j],
                                   standardError: estimates[i][j].standardError, z: 4.5, "pairwise MC P \(i),\(j)")
      }
    }
  }

  @Test func sampledStateRuleOfSectionII() throws {
    let a = try TabularPolicy([[1, 0], [0.5, 0.5], [0, 1]])
    let b = try TabularPolicy([[0, 1], [0.5, 0.5], [0, 1]])
    // States 0 (distance sqrt(ln 2)), 1 and 2 (distance 0), 1 again.
    let result = try sampledStateRule(a, b, states: [0, 1, 2, 1], epsilon: 0.2)
    expectRelative(result.meanDistance, log(2).squareRoot() / 4, 1e-15, "§II mean")
    #expect(!result.similar)
    #expect(try sampledStateRule(a, b, states: [1, 2], epsilon: 0.2).similar)
    #expect(try policyMetric(a, b, states: [0, 1, 2, 1]) == result.meanDistance)
    expectRLError(.outOfRange, containing: "policyMetric: state 3") { try policyMetric(a, b, states: [3]) }
    let (mean, similar) = try pairwiseSampledStateRule([a, b, a], states: [0, 1, 2, 1], epsilon: 0.2)
    #expect(mean[0][1] == result.meanDistance && mean[0][2] == 0 && similar[0][2] && !similar[1][2])
    var g = SplitMix64(seed: 2)
    let states = try sampleStates(from: [0.5, 0.5, 0], count: 100, using: &g)
    #expect(states.allSatisfy { $0 < 2 })
  }

  @Test func badInputIsATypedError() throws {
    let a = try TabularPolicy([[1, 0], [0, 1]])
    let b = try TabularPolicy([[1, 0, 0], [0, 1, 0]])
    let mdp = try twoStateMDP()
    expectRLError(.shapeMismatch, containing: "policyMetric: policies are 2×2 and 2×3") { try policyMetric(a, b) }
    expectRLError(.invalidProbability, containing: "policyMetric: weight of state 1 is 0.0; Def. 2 needs q_S(s) > 0") {
      try policyMetric(a, a, stateWeights: [1, 0])
    }
    expectRLError(.shapeMismatch, containing: "state weights have 3 entries") { try policyMetric(a, a, stateWeights: [1, 1, 1]) }
    expectRLError(.invalidProbability, containing: "Def. 3 needs q_S'(s) > 0") {
      try equivalencePolicyMetric(mdp, a, a, stateWeights: [0, 1])
    }
    expectRLError(.shapeMismatch, containing: "policyDivergence: policy is 2 states × 3 actions") { try policyDivergence(mdp, a, b) }
    expectRLError(.outOfRange, containing: "sampledStateRule: state 5 is out of range") {
      try sampledStateRule(a, a, states: [5], epsilon: 0.1)
    }
    expectRLError(.invalidArgument, containing: "the state sample is empty") { try sampledStateRule(a, a, states: [], epsilon: 0.1) }
    expectRLError(.invalidArgument, containing: "epsilon must be a finite number > 0") {
      try sampledStateRule(a, a, states: [0], epsilon: 0)
    }
    var g = SplitMix64(seed: 1)
    expectRLError(.invalidArgument, containing: "episodes must be >= 2") {
      try policyDivergenceEstimate(mdp, a, a, episodes: 1, using: &g)
    }
    expectRLError(.shapeMismatch, containing: "pairwisePolicyMetrics: policy 1:") { try pairwisePolicyMetrics(mdp, [a, b]) }
    expectRLError(.invalidArgument, containing: "pairwisePolicyMetrics: no policies") { try pairwisePolicyMetrics(mdp, []) }
    expectRLError(.invalidProbability, containing: "twoStateMDP: p0(1) must be in [0, 1]") { try twoStateMDP(probabilityOfStartingInState1: 2) }
  }

  @Test func banditFamilyIsSeededAndSolvedExactly() throws {
    var g1 = SplitMix64(seed: 4), g2 = SplitMix64(seed: 4)
    let f1 = try banditFamily(count: 5, arms: 3, horizon: 10, using: &g1)
    let f2 = try banditFamily(count: 5, arms: 3, horizon: 10, using: &g2)
    #expect(f1 == f2)
    for bandit in f1 {
      expectRelative(valueIteration(try bandit.tabularMDP()).expectedReturn, bandit.optimalReturn, 1e-14, "bandit oracle")
    }
    expectRLError(.outOfRange, containing: "bandit.pull: arm 3 is out of range 0..<3") { try f1[0].pull(3, using: &g1) }
    expectRLError(.invalidProbability, containing: "arm 0 has mean 1.5") { try Bandit(armMeans: [1.5], horizon: 1) }
  }
}
