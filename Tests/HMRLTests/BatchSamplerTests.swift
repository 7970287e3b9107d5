import Testing
import HMTensor
@testable import HMRL

@Suite struct BatchSamplerTests {
  func sample(threads: Int, seed: UInt64 = 4) throws -> [Batch] {
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [16, 16])
    var rng = RandomStream(seed: seed, stream: [99])
    let theta = try policy.initialParameters(using: &rng)
    let tasks = try Navigation2DFamily.canonical().tasks(count: 5, seed: seed, iteration: 1)
    return try Parallelism.$threadCount.withValue(threads) {
      try sampleBatches(tasks, policy: policy, parameters: [theta], episodes: 6, seed: seed, iteration: 1)
    }
  }

  @Test func sameSeedSameBatchWithOneAndTwoThreads() throws {
    let one = try sample(threads: 1), two = try sample(threads: 2)
    #expect(one.count == 5 && two.count == 5)
    for (a, b) in zip(one, two) {
      #expect(a.observations.toArray() == b.observations.toArray())
      #expect(a.actions.toArray() == b.actions.toArray())
      #expect(a.rewards.toArray() == b.rewards.toArray())
      #expect(a.logProbs.toArray() == b.logProbs.toArray())
      #expect(a.lengths == b.lengths && a.taskIndex == b.taskIndex)
    }
    let other = try sample(threads: 2, seed: 5)
    #expect(other[0].actions.toArray() != one[0].actions.toArray())
  }

  @Test func finalObservationIsTheStateAfterTheLastStep() throws {
    let batch = try sample(threads: 1)[1]
    for e in 0..<batch.episodeCount {
      let t = try batch.trajectory(e), n = t.length
      #expect(t.finalObservation.count == 2)
      // Navigation: o_{t+1} = o_t + clip(a_t, ±0.1) (float32 storage).
      for k in 0..<2 {
        let next = t.observations[2 * (n - 1) + k] + min(max(t.actions[2 * (n - 1) + k], -0.1), 0.1)
        #expect(abs(t.finalObservation[k] - next) < 1e-5)
      }
      #expect(t.nextObservation(after: 0).map(Array.init) == (n > 1 ? Array(t.observations[2..<4]) : t.finalObservation))
    }
  }

  @Test func batchLayoutMasksAndTrajectories() throws {
    let batch = try sample(threads: 1)[2]
    #expect(batch.observations.shape == [6, 100, 2])
    #expect(batch.actions.shape == [6, 100, 2])
    #expect(batch.rewards.shape == [6, 100] && batch.masks.shape == [6, 100] && batch.logProbs.shape == [6, 100])
    #expect(batch.features.count == 2 && batch.taskIndex == 2 && batch.iteration == 1)
    let masks = batch.masks.toArray()
    for e in 0..<6 {
      let n = batch.lengths[e]
      #expect(masks[(e * 100)..<(e * 100 + 100)].reduce(0, +) == Double(n))
      let traj = try batch.trajectory(e)
      #expect(traj.length == n && traj.observations.count == 2 * n && traj.actions.count == 2 * n)
      #expect(traj.observations[0] == 0 && traj.observations[1] == 0)
    }
    expectRLError(.outOfRange, containing: "batch.trajectory") { try batch.trajectory(6) }
    #expect(batch.trajectories().count == 6)
  }

  @Test func behaviourLogProbsMatchThePolicy() throws {
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [16, 16], dtype: .float64)
    var rng = RandomStream(seed: 1)
    let theta = try policy.initialParameters(using: &rng)
    let task = try Navigation2D(goal: [0.3, -0.2])
    let batch = try sampleBatch(task, policy: policy, parameters: theta, episodes: 4, seed: 8, dtype: .float64)
    let logp = try policy.logProb(batch.observations, batch.actions, parameters: theta).toArray()
    let masks = batch.masks.toArray(), behaviour = batch.logProbs.toArray()
    for i in 0..<logp.count where masks[i] == 1 {
      #expect(abs(logp[i] - behaviour[i]) < 1e-9)
    }
  }

  @Test func perTaskParametersAndBadInput() throws {
    let (policy, theta) = try zeroMeanGaussian()
    let tasks = try Navigation2DFamily.canonical().tasks(count: 3, seed: 1)
    _ = try sampleBatches(tasks, policy: policy, parameters: [theta, theta, theta], episodes: 2, seed: 1)
    expectRLError(.shapeMismatch, containing: "parameter lists") {
      try sampleBatches(tasks, policy: policy, parameters: [theta, theta], episodes: 2, seed: 1)
    }
    expectRLError(.invalidArgument, containing: "episodes") {
      try sampleBatch(tasks[0], policy: policy, parameters: theta, episodes: 0, seed: 1)
    }
    let wrong = try GaussianMLPPolicy(observationSize: 3, actionSize: 2, hidden: [4])
    expectRLError(.shapeMismatch, containing: "environment has") {
      try sampleBatch(tasks[0], policy: wrong, parameters: theta, episodes: 2, seed: 1)
    }
  }

  @Test func categoricalPolicyOnAMaze() throws {
    let maze = try GridMaze(map: """
      #####
      #S.G#
      #####
      """, horizon: 10)
    let env = try TabularEnvironment(maze: maze, observation: .oneHot)
    let policy = try TabularSoftmaxPolicy(mdp: maze.mdp)
    var rng = RandomStream(seed: 2)
    let theta = try policy.initialParameters(using: &rng)
    let batch = try sampleBatch(env, policy: policy, parameters: theta, episodes: 50, seed: 2)
    #expect(batch.actions.shape == [50, 10, 1])
    #expect(batch.terminated.contains(true))
    for r in batch.undiscountedReturns { #expect(r == 0 || r == 1) }
    let mlp = try CategoricalMLPPolicy(observationSize: 2, actionCount: 4, hidden: [8])
    let coords = try TabularEnvironment(maze: maze, observation: .normalizedCoordinates)
    let mlpTheta = try mlp.initialParameters(using: &rng)
    let b2 = try sampleBatch(coords, policy: mlp, parameters: mlpTheta, episodes: 5, seed: 2)
    #expect(b2.observations.shape == [5, 10, 2])
    let recomputed = try mlp.logProb(b2.observations, b2.actions, parameters: mlpTheta).toArray()
    let masks = b2.masks.toArray(), behaviour = b2.logProbs.toArray()
    for i in 0..<recomputed.count where masks[i] == 1 { #expect(abs(recomputed[i] - behaviour[i]) < 1e-5) }
    var streams = [RandomStream(seed: 1)]
    var state = try env.reset(episodes: 1, streams: &streams)
    expectRLError(.outOfRange, containing: "action 4.0 of episode 0 is out of range 0..<4") {
      try env.step(&state, actions: [4], alive: [true], streams: &streams)
    }
    expectRLError(.outOfRange, containing: "out of range") {
      try env.step(&state, actions: [-1], alive: [true], streams: &streams)
    }
  }
}
