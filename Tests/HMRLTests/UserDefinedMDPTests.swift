import Testing
import HMTensor
@testable import HMRL

@Suite struct UserDefinedMDPTests {
  @Test func tabulatedChainIsSampledNatively() throws {
    var calls = 0
    let mdp = try tabulatedMDP(stateCount: 3, actionCount: 2, initialDistribution: [1, 0, 0], horizon: 5) { s, a in
      calls += 1
      var p = [0.0, 0, 0]
      p[a == 1 ? min(s + 1, 2) : s] = 1
      return TabularTransition(next: p, reward: s == 2 && a == 1 ? 1 : 0)
    }
    #expect(calls == 6)
    #expect(mdp.expectedRewards == [0, 0, 0, 0, 0, 1])
    let env = try TabularEnvironment(mdp: mdp)
    let policy = try TabularSoftmaxPolicy(mdp: mdp)
    let theta = try ParameterList([("logits", try Tensor([0, 20, 0, 20, 0, 20], shape: [3, 2]))])
    let batch = try sampleBatch(env, policy: policy, parameters: theta, episodes: 4, seed: 1)
    for r in batch.undiscountedReturns { #expect(r == 3) }
  }

  @Test func tabulatedBadShapesAreErrors() throws {
    expectRLError(.shapeMismatch, containing: "transition(s=0, a=0) returned 2 next-state probabilities, expected 3") {
      try tabulatedMDP(stateCount: 3, actionCount: 1, initialDistribution: [1, 0, 0], horizon: 2) { _, _ in
        TabularTransition(next: [1, 0], reward: 0)
      }
    }
    expectRLError(.invalidProbability, containing: "sums to") {
      try tabulatedMDP(stateCount: 2, actionCount: 1, initialDistribution: [1, 0], horizon: 2) { _, _ in
        TabularTransition(next: [0.5, 0.2], reward: 0)
      }
    }
  }

  @Test func batchedStepFunctionIsCalledOncePerStep() throws {
    var calls = 0
    let env = try ClosureEnvironment(observationSize: 1, actionSize: 1, horizon: 4, initialObservation: [0]) { o, a, t in
      calls += 1
      let next = try o + a.clamp(min: -1, max: 1)
      return BatchedTransition(next: next, rewards: try -next.abs().reshaped([-1]),
                               done: t == 1 ? try Tensor.ones([o.shape[0]]) : nil)
    }
    let (policy, _) = (try GaussianMLPPolicy(observationSize: 1, actionSize: 1, hidden: [4]), 0)
    var rng = RandomStream(seed: 1)
    let theta = try policy.initialParameters(using: &rng)
    let batches = try sampleBatches([env, env], policy: policy, parameters: [theta], episodes: 7, seed: 1)
    #expect(calls == 4)
    #expect(batches[0].lengths == [Int](repeating: 2, count: 7))
  }

  @Test func batchedStepFunctionWithWrongShapesIsAnError() throws {
    let env = try ClosureEnvironment(observationSize: 2, actionSize: 1, horizon: 3, initialObservation: [0, 0]) { o, _, _ in
      BatchedTransition(next: try Tensor.zeros([3]), rewards: try Tensor.zeros([o.shape[0]]))
    }
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 1, hidden: [4])
    var rng = RandomStream(seed: 1)
    let theta = try policy.initialParameters(using: &rng)
    expectRLError(.shapeMismatch, containing: "next observations of shape [3], expected [5, 2]") {
      try sampleBatch(env, policy: policy, parameters: theta, episodes: 5, seed: 1)
    }
    expectRLError(.shapeMismatch, containing: "initial observation") {
      try ClosureEnvironment(observationSize: 2, actionSize: 1, horizon: 3, initialObservation: [0]) { o, _, _ in
        BatchedTransition(next: o, rewards: o)
      }
    }
  }
}
