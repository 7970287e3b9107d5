import Testing
import HMTensor
@testable import HMRL

/// A policy with zero mean output: N(0, σ²) actions whatever the observation.
func zeroMeanGaussian(logStd: Double = 0, hidden: [Int] = [8]) throws -> (GaussianMLPPolicy, ParameterList) {
  let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: hidden, initialLogStd: logStd)
  var rng = RandomStream(seed: 5)
  let theta = try policy.initialParameters(using: &rng)
  let zeroed = try theta.replacing(theta.tensors.enumerated().map { i, t in
    i >= theta.count - 3 && i < theta.count - 1 ? Tensor.zeros(like: t) : t
  })
  return (policy, zeroed)
}

@Suite struct Navigation2DTests {
  @Test func zeroActionReturnOverTenThousandGoals() throws {
    let family = try Navigation2DFamily.canonical()
    let tasks = try family.tasks(count: 10_000, seed: 11)
    var total = 0.0
    for task in tasks {
      var noStreams: [RandomStream] = [RandomStream(seed: 0)]
      var state = try task.reset(episodes: 1, streams: &noStreams)
      var ret = 0.0
      for _ in 0..<task.horizon {
        let out = try task.step(&state, actions: [0, 0], alive: [true], streams: &noStreams)
        ret += out.rewards[0]
        if out.done[0] { break }
      }
      total += ret
    }
    let mean = total / Double(tasks.count)
    #expect(abs(mean - -38.1) <= 0.3, "zero-action return \(mean)")
  }

  @Test func untrainedUnitGaussianReturnIsAboutMinusNinety() throws {
    let (policy, theta) = try zeroMeanGaussian()
    let tasks = try Navigation2DFamily.canonical().tasks(count: 20, seed: 3)
    let batches = try sampleBatches(tasks, policy: policy, parameters: [theta], episodes: 20, seed: 3)
    let mean = batches.map(\.meanReturn).reduce(0, +) / Double(batches.count)
    #expect(mean > -100 && mean < -80, "untrained N(0,1) return \(mean)")
  }

  @Test func greedyOracleReturnIsAboutMinusHalf() throws {
    let tasks = try Navigation2DFamily.canonical().tasks(count: 2000, seed: 12)
    var total = 0.0
    for task in tasks {
      var streams = [RandomStream(seed: 0)]
      var state = try task.reset(episodes: 1, streams: &streams)
      for _ in 0..<task.horizon {
        let out = try task.step(&state, actions: [task.goal[0] - state[0], task.goal[1] - state[1]],
                                alive: [true], streams: &streams)
        total += out.rewards[0]
        if out.done[0] { break }
      }
    }
    let mean = total / Double(tasks.count)
    #expect(abs(mean - -0.5) < 0.1, "greedy oracle return \(mean)")
  }

  @Test func stepClipsActionsAndEndsAtTheGoal() throws {
    let task = try Navigation2D(goal: [0.1, 0.0])
    var streams = [RandomStream(seed: 0)]
    var state = try task.reset(episodes: 1, streams: &streams)
    let out = try task.step(&state, actions: [5, 0], alive: [true], streams: &streams)
    #expect(abs(state[0] - 0.1) < 1e-15 && state[1] == 0)
    #expect(out.done[0])
    #expect(abs(out.rewards[0]) < 1e-15)
    let squared = try Navigation2D(goal: [0.3, 0.4], rewardForm: .squaredDistance)
    var s2 = try squared.reset(episodes: 1, streams: &streams)
    let o2 = try squared.step(&s2, actions: [0, 0], alive: [true], streams: &streams)
    #expect(abs(o2.rewards[0] - -0.25) < 1e-12)
    #expect(squared.variantName == "canonical/squared_distance")
  }

  @Test func sparseVariantPaysOnlyInsideTheRadius() throws {
    let family = try Navigation2DFamily.sparse()
    let task = try family.task(seed: 1, index: 0)
    #expect(task.horizon == 20)
    #expect(abs((task.goal[0] * task.goal[0] + task.goal[1] * task.goal[1]).squareRoot() - 1) < 1e-12)
    #expect(task.goal[1] >= 0)
    let near = try Navigation2D.sparse(goal: [0.1, 0])
    var streams = [RandomStream(seed: 0)]
    var s = try near.reset(episodes: 1, streams: &streams)
    let o = try near.step(&s, actions: [0.05, 0], alive: [true], streams: &streams)
    #expect(abs(o.rewards[0] - 0.95) < 1e-12 && !o.done[0])
    let far = try Navigation2D.sparse(goal: [0.9, 0])
    var s2 = try far.reset(episodes: 1, streams: &streams)
    #expect(try far.step(&s2, actions: [0, 0], alive: [true], streams: &streams).rewards[0] == 0)
  }

  @Test func cornerVariantFollowsProMP() throws {
    let family = try Navigation2DFamily.corners()
    let goals = Set(try family.tasks(count: 40, seed: 3).map { $0.goal })
    #expect(goals == [[-2, -2], [2, -2], [-2, 2], [2, 2]])
    let task = try Navigation2D.corner(goal: [2, 2])
    #expect(task.variantName == "corner/sparse/0.5" && task.maxAction == 0.2)
    var streams = [RandomStream(seed: 1), RandomStream(seed: 2)]
    var s = try task.reset(episodes: 2, streams: &streams)
    #expect(s.allSatisfy { abs($0) <= 0.2 } && s[0] != s[2])
    s = [0.1, 0.1, 1.0, 1.0]
    let out = try task.step(&s, actions: [0.1, 0.1, 0.5, 0.5], alive: [true, true], streams: &streams)
    #expect(out.rewards[0] == 0)                         // still within L1 radius 0.5 of the origin
    let progress = (2 * 1.0 * 1.0).squareRoot() - (2 * 0.8 * 0.8).squareRoot()
    #expect(abs(out.rewards[1] - progress) < 1e-12)       // clipped to 0.2, moving towards the goal
    #expect(!out.done[0] && !out.done[1])
    var wrong = [-1.0, 1.0]
    #expect(try task.step(&wrong, actions: [0, 0], alive: [true], streams: &streams).rewards[0] == 0)
    let dense = try Navigation2D.corner(goal: [2, 2], sparseRadius: nil)
    #expect(dense.variantName == "corner/distance")
  }

  @Test func tasksAreNamedBySeedIterationAndIndex() throws {
    let family = try Navigation2DFamily.canonical()
    let a = try family.tasks(count: 5, seed: 9, iteration: 2)
    #expect(try family.task(seed: 9, iteration: 2, index: 3) == a[3])
    #expect(try family.task(seed: 9, iteration: 3, index: 3) != a[3])
    for t in a { #expect(t.goal.allSatisfy { $0 >= -0.5 && $0 < 0.5 }) }
  }

  @Test func relabellingReproducesRecordedRewards() throws {
    let (policy, theta) = try zeroMeanGaussian(logStd: -2, hidden: [4])
    let task = try Navigation2D(goal: [0.05, -0.02])
    let batch = try sampleBatch(task, policy: policy, parameters: theta, episodes: 3, seed: 2, dtype: .float64)
    for traj in batch.trajectories() {
      let again = try task.rewards(observations: traj.observations, actions: traj.actions)
      for (a, b) in zip(again, traj.rewards) { #expect(abs(a - b) < 1e-12) }
      let other = try Navigation2D(goal: [-0.4, 0.4]).rewards(observations: traj.observations, actions: traj.actions)
      #expect(other != traj.rewards)
    }
    expectRLError(.shapeMismatch, containing: "navigation2D.rewards") { try task.rewards(observations: [0], actions: [0]) }
  }

  @Test func badInputIsATypedError() throws {
    expectRLError(.shapeMismatch, containing: "goal") { try Navigation2D(goal: [1]) }
    expectRLError(.invalidArgument, containing: "horizon") { try Navigation2D(goal: [0, 0], horizon: 0) }
    let task = try Navigation2D(goal: [0, 0])
    var streams = [RandomStream(seed: 0)]
    var s = try task.reset(episodes: 1, streams: &streams)
    expectRLError(.shapeMismatch, containing: "navigation2D.step") {
      try task.step(&s, actions: [0, 0, 0], alive: [true], streams: &streams)
    }
    expectRLError(.invalidArgument, containing: "NaN") {
      try task.step(&s, actions: [.nan, 0], alive: [true], streams: &streams)
    }
  }
}
