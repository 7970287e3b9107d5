import Testing
@testable import HMRL

@Suite struct TabularMDPTests {
  /// A 3-state chain: action 0 stays, action 1 moves right with probability 0.8.
  func chain(horizon: Int = 4, discount: Double = 0.9) throws -> TabularMDP {
    try TabularMDP(
      transitions: [[[1, 0, 0], [0.2, 0.8, 0]], [[0, 1, 0], [0, 0.2, 0.8]], [[0, 0, 1], [0, 0, 1]]],
      rewards: [[0, 0], [0, 0], [1, 1]], initialDistribution: [1, 0, 0], horizon: horizon, discount: discount)
  }

  @Test func policyEvaluationMatchesHandComputation() throws {
    let mdp = try chain(horizon: 3, discount: 1)
    let right = try TabularPolicy.deterministic(actions: [1, 1, 1], actionCount: 2)
    // Reward 1 per decision taken in state 2. Decisions at t = 0, 1, 2 from state 0:
    // Pr(s₂ = 2) = 0.8·0.8 = 0.64 (s₁ must be 1 then 2). Return = 0.64.
    let v = try policyEvaluation(mdp, right)
    #expect(abs(v.expectedReturn - 0.64) < 1e-15)
    let best = valueIteration(mdp)
    #expect(abs(best.expectedReturn - 0.64) < 1e-15)
    #expect(best.actions[0][0] == 1)
  }

  @Test func exactEvaluationAgreesWithMonteCarlo() throws {
    var g = SplitMix64(seed: 7)
    for trial in 0..<3 {
      let mdp = try randomTabularMDP(stateCount: 6, actionCount: 3, horizon: 8, maxSuccessors: 3,
                                     discount: 0.95, using: &g)
      let policy = try randomTabularPolicy(stateCount: 6, actionCount: 3, using: &g)
      let exact = try policyEvaluation(mdp, policy).expectedReturn
      let n = 20_000
      var returns = [Double]()
      for _ in 0..<n { returns.append(try sampleEpisode(mdp, policy, using: &g).discountedReturn(discount: 0.95)) }
      let (mean, variance) = meanAndVariance(returns)
      expectWithinStandardErrors(mean, exact, standardError: (variance / Double(n)).squareRoot(), z: 4,
                                 "trial \(trial): Monte-Carlo return vs exact")
      // Occupancy vs visit frequencies, state by state.
      let visitation = try stateVisitation(mdp, policy)
      var counts = [Double](repeating: 0, count: 6)
      for _ in 0..<5_000 { for s in try sampleEpisode(mdp, policy, using: &g).states { counts[s] += 1 } }
      for s in 0..<6 {
        let estimate = counts[s] / 5_000
        // Visits per episode are bounded by H, so the SE is at most H/2/sqrt(n).
        expectWithinStandardErrors(estimate, visitation.total[s], standardError: 8 / 2 / 5_000.0.squareRoot(), z: 4,
                                   "trial \(trial): occupancy of state \(s)")
      }
      // Reachability is exactly the support of the occupancy.
      let reached = try reachableStates(mdp, policy)
      for s in 0..<6 { #expect(reached[s] == (visitation.total[s] > 0)) }
    }
  }

  @Test func valueIterationDominatesRandomPolicies() throws {
    var g = SplitMix64(seed: 11)
    let mdp = try randomTabularMDP(stateCount: 5, actionCount: 3, horizon: 6, using: &g)
    let best = valueIteration(mdp)
    for _ in 0..<50 {
      let p = try randomTabularPolicy(stateCount: 5, actionCount: 3, using: &g)
      #expect(try policyEvaluation(mdp, p).expectedReturn <= best.expectedReturn + 1e-12)
    }
  }

  @Test func terminalStatesEndEpisodes() throws {
    let mdp = try TabularMDP(transitions: [[[0, 1]], [[0, 1]]], rewards: [[1], [5]],
                             initialDistribution: [1, 0], horizon: 5, terminalStates: [1])
    let only = try TabularPolicy([[1], [1]])
    #expect(try policyEvaluation(mdp, only).expectedReturn == 1)
    let v = try stateVisitation(mdp, only)
    #expect(v.total == [1, 0])
    #expect(try reachableStates(mdp, only) == [true, false])
    var g = SplitMix64(seed: 1)
    let e = try sampleEpisode(mdp, only, using: &g)
    #expect(e.states == [0] && e.terminated && e.finalState == 1)
  }

  @Test func occupancyPerStepIsTheSurvivalProbability() throws {
    // From state 0, action 0 ends the episode (state 1 is terminal) with probability 0.5.
    let mdp = try TabularMDP(transitions: [[[0.5, 0.5]], [[0, 1]]], rewards: [[1], [0]],
                             initialDistribution: [1, 0], horizon: 4, terminalStates: [1])
    let visitation = try stateVisitation(mdp, TabularPolicy([[1], [1]]))
    #expect(visitation.perStep.map { $0.reduce(0, +) } == [1, 0.5, 0.25, 0.125])
    #expect(visitation.total == [1.875, 0])
    #expect(visitation.averagedOverSteps == [1.875 / 4, 0])
    #expect(try policyEvaluation(mdp, TabularPolicy([[1], [1]])).expectedReturn == 1.875)
    // Starting in a terminal state: no decisions, S' empty, every metric 0.
    let dead = try TabularMDP(transitions: [[[0, 1]], [[0, 1]]], rewards: [[1], [0]],
                              initialDistribution: [0, 1], horizon: 3, terminalStates: [1])
    let a = try TabularPolicy([[1], [1]])
    #expect(try reachableStates(dead, a) == [false, false])
    #expect(try equivalencePolicyMetric(dead, a, a) == 0)
    #expect(try policyDivergence(dead, a, a) == 0)
    var g = SplitMix64(seed: 3)
    let e = try sampleEpisode(dead, a, using: &g)
    #expect(e.states.isEmpty && e.terminated && e.rewards.isEmpty)
  }

  @Test func badTablesAreTypedErrors() throws {
    expectRLError(.invalidProbability, containing: "tabularMDP: P[s=0, a=1] sums to 0.9") {
      try TabularMDP(transitions: [[[1, 0], [0.5, 0.4]], [[0, 1], [0, 1]]], rewards: [[0, 0], [0, 0]],
                     initialDistribution: [1, 0], horizon: 2)
    }
    expectRLError(.invalidProbability, containing: "is not a probability") {
      try TabularMDP(transitions: [[[1.5, -0.5]], [[0, 1]]], rewards: [[0], [0]], initialDistribution: [1, 0], horizon: 2)
    }
    expectRLError(.shapeMismatch, containing: "P[1] has 1 actions, expected 2") {
      try TabularMDP(transitions: [[[1, 0], [0, 1]], [[0, 1]]], rewards: [[0, 0], [0, 0]], initialDistribution: [1, 0], horizon: 2)
    }
    expectRLError(.shapeMismatch, containing: "transitions has 3 entries") {
      try TabularMDP(stateCount: 2, actionCount: 1, transitions: [1, 0, 0], rewards: .perStateAction([0, 0]),
                     initialDistribution: [1, 0], horizon: 1)
    }
    expectRLError(.invalidProbability, containing: "initial distribution sums to 0.5") {
      try TabularMDP(transitions: [[[1, 0]], [[0, 1]]], rewards: [[0], [0]], initialDistribution: [0.5, 0], horizon: 2)
    }
    expectRLError(.invalidArgument, containing: "horizon must be in 1...100000, got 0") {
      try TabularMDP(transitions: [[[1]]], rewards: [[0]], initialDistribution: [1], horizon: 0)
    }
    expectRLError(.invalidArgument, containing: "discount must be in [0, 1]") {
      try TabularMDP(transitions: [[[1]]], rewards: [[0]], initialDistribution: [1], horizon: 1, discount: 1.5)
    }
    expectRLError(.outOfRange, containing: "terminal state 3 is out of range") {
      try TabularMDP(transitions: [[[1]]], rewards: [[0]], initialDistribution: [1], horizon: 1, terminalStates: [3])
    }
    expectRLError(.invalidArgument, containing: "is not finite") {
      try TabularMDP(transitions: [[[1]]], rewards: [[.nan]], initialDistribution: [1], horizon: 1)
    }
    expectRLError(.invalidProbability, containing: "tabularPolicy: π[s=1] sums to 0.5") {
      try TabularPolicy([[1, 0], [0.25, 0.25]])
    }
    expectRLError(.shapeMismatch, containing: "row 1 has 3 actions, expected 2") { try TabularPolicy([[1, 0], [1, 0, 0]]) }
    expectRLError(.outOfRange, containing: "action 2 in state 0 is out of range 0..<2") {
      try TabularPolicy.deterministic(actions: [2], actionCount: 2)
    }
    let policy = try TabularPolicy([[1, 0], [0.5, 0.5]])
    expectRLError(.outOfRange, containing: "tabularPolicy.greedyAction: state 2 is out of range 0..<2") { try policy.greedyAction(at: 2) }
    expectRLError(.outOfRange, containing: "tabularPolicy.probability: action 2") { try policy.probability(of: 2, at: 0) }
    expectRLError(.outOfRange, containing: "tabularPolicy.distribution: state -1") { try policy.distribution(at: -1) }
    #expect(try policy.distribution(at: 1) == [0.5, 0.5])
    let mdp = try chain()
    expectRLError(.outOfRange, containing: "tabularMDP.reward: action 5") { try mdp.reward(state: 0, action: 5, next: 0) }
    #expect(try mdp.reward(state: 2, action: 0, next: 2) == 1)
    expectRLError(.shapeMismatch, containing: "policyEvaluation: policy is 2 states × 2 actions but the MDP has 3 × 2") {
      try policyEvaluation(mdp, TabularPolicy([[1, 0], [1, 0]]))
    }
  }
}

@Suite struct DiscountedEvaluationTests {
  @Test func infiniteHorizonValuesMatchLongFiniteHorizons() throws {
    var g = SplitMix64(seed: 21)
    let base = try randomTabularMDP(stateCount: 5, actionCount: 2, horizon: 1, maxSuccessors: 3, discount: 0.8, using: &g)
    // With H = 200, γ^H ≈ 4e-20: the finite-horizon values equal the infinite ones to rounding.
    let long = try TabularMDP(stateCount: 5, actionCount: 2, transitions: base.transitions, rewards: base.rewards,
                              initialDistribution: base.initialDistribution, horizon: 200, discount: 0.8)
    let policy = try randomTabularPolicy(stateCount: 5, actionCount: 2, using: &g)
    let exact = try discountedPolicyEvaluation(base, policy)
    let finite = try policyEvaluation(long, policy).values[0]
    for s in 0..<5 { #expect(abs(exact[s] - finite[s]) < 1e-12) }
    let (optimal, greedy) = try discountedValueIteration(base)
    let optimalFinite = valueIteration(long).values[0]
    for s in 0..<5 { #expect(abs(optimal[s] - optimalFinite[s]) < 1e-9) }
    let greedyValues = try discountedPolicyEvaluation(base, greedy)
    for s in 0..<5 { #expect(abs(greedyValues[s] - optimal[s]) < 1e-9) }
    expectRLError(.invalidArgument, containing: "discountedPolicyEvaluation: needs a discount γ < 1") {
      try discountedPolicyEvaluation(long.withDiscountOne(), policy)
    }
    let minigrid = try GridMaze(map: "S.G", horizon: 4, reward: .minigrid, discount: 0.9)
    expectRLError(.invalidArgument, containing: "stepRewardScale") { try discountedValueIteration(minigrid.mdp) }
  }
}

extension TabularMDP {
  fileprivate func withDiscountOne() throws -> TabularMDP {
    try TabularMDP(stateCount: stateCount, actionCount: actionCount, transitions: transitions, rewards: rewards,
                   initialDistribution: initialDistribution, horizon: horizon, discount: 1)
  }
}
