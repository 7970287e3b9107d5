import Foundation
import Testing
@testable import HMRL
import HMTensor
import HMTestSupport

/// Algorithm 1's pair labels: the sampled policy divergence (Def. 4) against the exact one, the
/// §II rule against the visit frequencies, the Gaussian bound, ε as a quantile.
struct TaskPairDivergencesTests {
  let maze: GridMaze
  let policy: TabularSoftmaxPolicy
  let environment: TabularEnvironment

  init() throws {
    maze = try GridMaze(map: """
      #####
      #S..#
      #...#
      #..G#
      #####
      """, horizon: 8)
    policy = try TabularSoftmaxPolicy(mdp: maze.mdp, dtype: .float64)
    environment = try TabularEnvironment(maze: maze, observation: .oneHot)
  }

  func logits(_ seed: UInt64) throws -> ParameterList {
    try ParameterList([("logits", randomTensor([maze.stateCount, 4], seed: seed, low: -2, high: 2, dtype: .float64))])
  }

  func batches(_ thetas: [ParameterList], episodes: Int) throws -> [Batch] {
    try sampleBatches([TabularEnvironment](repeating: environment, count: thetas.count), policy: policy,
                      parameters: thetas, episodes: episodes, seed: 7, dtype: .float64)
  }

  @Test func sampledPolicyDivergenceMatchesTheExactOne() throws {
    let thetas = try [logits(1), logits(2), logits(3)]
    let d = try taskPairDivergences(policy: policy, parameters: thetas, batches: try batches(thetas, episodes: 4000),
                                    rule: .policyDivergence, statesPerTask: 1 << 20, stream: RandomStream(seed: 1))
    for i in 0..<3 {
      #expect(d[i][i] == 0)
      for j in 0..<3 where j != i {
        let exact = try policyDivergence(maze.mdp, try policy.tabularPolicy(parameters: thetas[i]),
                                         try policy.tabularPolicy(parameters: thetas[j]))
        #expect(d[i][j] == d[j][i])
        #expect(isClose(d[i][j], exact, relative: 0.03), "P(\(i), \(j)) = \(d[i][j]), exact \(exact)")
      }
    }
    // Its failure twin: a different pair's exact value is not matched.
    let other = try policyDivergence(maze.mdp, try policy.tabularPolicy(parameters: thetas[0]),
                                     try policy.tabularPolicy(parameters: try logits(9)))
    #expect(!isClose(d[0][1], other, relative: 0.03))
  }

  @Test func subsampledStatesGiveAnUnbiasedEstimate() throws {
    let thetas = try [logits(1), logits(2)]
    let b = try batches(thetas, episodes: 400)
    let full = try taskPairDivergences(policy: policy, parameters: thetas, batches: b, rule: .policyDivergence,
                                       statesPerTask: 1 << 20, stream: RandomStream(seed: 1))
    var total = 0.0
    for s in 0..<20 {
      total += try taskPairDivergences(policy: policy, parameters: thetas, batches: b, rule: .policyDivergence,
                                       statesPerTask: 64, stream: RandomStream(seed: UInt64(s)))[0][1]
    }
    #expect(isClose(total / 20, full[0][1], relative: 0.05))
  }

  @Test func equalPoliciesAreAtDistanceZero() throws {
    let theta = try logits(4)
    let d = try taskPairDivergences(policy: policy, parameters: [theta, theta], batches: try batches([theta, theta], episodes: 10),
                                    rule: .policyDivergence, stream: RandomStream(seed: 1))
    #expect(d == [[0, 0], [0, 0]])
  }

  @Test func sectionTwoRuleAveragesOverVisitedStates() throws {
    let thetas = try [logits(1), logits(2)]
    let b = try batches(thetas, episodes: 200)
    let d = try taskPairDivergences(policy: policy, parameters: thetas, batches: b, rule: .sampledStates,
                                    sampledStates: 40_000, stream: RandomStream(seed: 3))
    // Σ_s freq(s) √J(π₁(s), π₂(s)), freq over every real step of both batches.
    let t1 = try policy.tabularPolicy(parameters: thetas[0]), t2 = try policy.tabularPolicy(parameters: thetas[1])
    var counts = [Double](repeating: 0, count: maze.stateCount)
    for batch in b {
      let obs = batch.observations.toArray(), masks = batch.masks.toArray(), s = maze.stateCount
      for r in masks.indices where masks[r] != 0 {
        guard let state = (0..<s).first(where: { obs[r * s + $0] == 1 }) else { continue }
        counts[state] += 1
      }
    }
    let total = counts.reduce(0, +)
    var expected = 0.0
    for s in 0..<maze.stateCount where counts[s] > 0 {
      expected += counts[s] / total * (try jensenShannonDistance(try t1.distribution(at: s), try t2.distribution(at: s)))
    }
    #expect(isClose(d[0][1], expected, relative: 0.02), "\(d[0][1]) vs \(expected)")
  }

  @Test func gaussianPoliciesUseTheLogarithmicBound() throws {
    let p = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [8], dtype: .float64)
    var rng = RandomStream(seed: 5)
    let a = try p.initialParameters(using: &rng)
    let b = try a.replacing(try a.tensors.enumerated().map { i, t in try t + randomTensor(t.shape, seed: UInt64(i), low: -0.3, high: 0.3, dtype: .float64) })
    let obs = try Tensor([0.1, 0.2, -0.3, 0.4], shape: [2, 2], dtype: .float64)
    let da = try p.actionDistributions(obs, parameters: a), db = try p.actionDistributions(obs, parameters: b)
    guard case let .gaussian(m1, s1) = da, case let .gaussian(m2, s2) = db else { Issue.record("not Gaussian"); return }
    for row in 0..<2 {
      let g1 = try GaussianDistribution(mean: Array(m1[(2 * row)..<(2 * row + 2)]), covariance: .diagonal(s1.map { exp(2 * $0) }))
      let g2 = try GaussianDistribution(mean: Array(m2[(2 * row)..<(2 * row + 2)]), covariance: .diagonal(s2.map { exp(2 * $0) }))
      let bound = try JensenShannonBounds(symmetricKullbackLeiblerNats: try symmetricKullbackLeibler(g1, g2)).logarithmic
      #expect(isClose(jensenShannonDistance(da, row, db, row), bound.squareRoot(), relative: 1e-9))
    }
    #expect(jensenShannonDistance(da, 0, da, 0) == 0)
  }

  @Test func epsilonQuantileGivesBothLabels() throws {
    let d: [[Double]] = [[0, 1, 2, 3], [1, 0, 4, 5], [2, 4, 0, 6], [3, 5, 6, 0]]
    let e = try epsilon(quantile: 0.5, of: d)
    let pairs = labelledTaskPairs(d, epsilon: e)
    #expect(pairs.count == 6)
    #expect(pairs.filter(\.similar).count == 3)
    #expect(labelledTaskPairs(d, epsilon: 1).filter(\.similar).isEmpty)   // P < ε is strict
    #expect(throws: RLError.self) { try epsilon(quantile: 1, of: d) }
    #expect(throws: RLError.self) { try epsilon(quantile: 0.5, of: [[0]]) }
  }

  @Test func mismatchedInputsAreErrors() throws {
    let theta = try logits(1)
    let b = try batches([theta], episodes: 2)
    #expect(throws: RLError.self) {
      try taskPairDivergences(policy: policy, parameters: [theta, theta], batches: b, rule: .policyDivergence, stream: RandomStream(seed: 1))
    }
    #expect(throws: RLError.self) {
      try taskPairDivergences(policy: policy, parameters: [theta], batches: b, rule: .policyDivergence, statesPerTask: 0, stream: RandomStream(seed: 1))
    }
  }
}
