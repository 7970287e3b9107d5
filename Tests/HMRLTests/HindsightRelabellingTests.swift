import Testing
import HMTensor
@testable import HMRL
import HMTestSupport

/// Hindsight relabelling: a trajectory re-read under another task's reward and termination.
struct HindsightRelabellingTests {
  /// B episodes of `env` with a fresh policy of the right kind (Gaussian for 2D navigation,
  /// uniform tabular softmax for mazes).
  func gaussianBatch(_ env: Navigation2D, episodes: Int = 12, seed: UInt64 = 3, dtype: DType = .float64) throws -> Batch {
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [8], initialLogStd: -1.5, dtype: dtype)
    var rng = RandomStream(seed: seed)
    let theta = try policy.initialParameters(using: &rng)
    return try sampleBatch(env, policy: policy, parameters: theta, episodes: episodes, seed: seed, dtype: dtype)
  }

  func uniformBatch(_ env: TabularEnvironment, episodes: Int = 40, seed: UInt64 = 3, dtype: DType = .float64) throws -> Batch {
    let policy = try TabularSoftmaxPolicy(stateCount: env.mdp.stateCount, actionCount: env.mdp.actionCount, dtype: dtype)
    let theta = try ParameterList([("logits", try Tensor.zeros([env.mdp.stateCount, env.mdp.actionCount], dtype: dtype))])
    if env.observationSize == env.mdp.stateCount {
      return try sampleBatch(env, policy: policy, parameters: theta, episodes: episodes, seed: seed, dtype: dtype)
    }
    let mlp = try CategoricalMLPPolicy(observationSize: env.observationSize, actionCount: env.mdp.actionCount, hidden: [4], dtype: dtype)
    var rng = RandomStream(seed: seed)
    return try sampleBatch(env, policy: mlp, parameters: try mlp.initialParameters(using: &rng), episodes: episodes,
                           seed: seed, dtype: dtype)
  }

  @Test func navigationRelabelledUnderItsOwnTaskIsUnchanged() throws {
    // A goal near the start and a wide tolerance, so that some episodes end early.
    let canonical = try Navigation2D(goal: [0.25, 0.15], horizon: 30, successTolerance: 0.08)
    let sparse = try Navigation2D.sparse(goal: [0.3, 0.1], radius: 0.5)
    for env in [canonical, sparse] {
      let batch = try gaussianBatch(env)
      if env.successTolerance > 0 { #expect(batch.terminated.contains(true) && batch.terminated.contains(false)) }
      for tau in batch.trajectories() {
        #expect(try env.relabel(tau) == tau)
      }
      #expect(batch.undiscountedReturns.contains { $0 != 0 })
      // Float32 batches: the same up to rounding of the stored numbers.
      for tau in try gaussianBatch(env, dtype: .float32).trajectories() {
        let r = try env.relabel(tau)
        #expect(r.terminated == tau.terminated && r.length == tau.length)
        expectClose(r.rewards, tau.rewards, rtol: 1e-5, atol: 1e-6, "float32 rewards")
      }
    }
  }

  @Test func mazeRelabelledUnderItsOwnTaskIsUnchanged() throws {
    let map = """
      S...
      .#..
      ...H
      ....
      """
    for (reward, slippery, observation) in [(GridMaze.RewardKind.sparse, false, GridMaze.ObservationKind.oneHot),
                                            (.minigrid, false, .oneHot), (.dense, true, .oneHot),
                                            (.sparse, true, .normalizedCoordinates)] {
      let maze = try GridMaze(map: map, horizon: 12, reward: reward, slippery: slippery)
      let task = try goalTasks(maze)[5]
      let env = try TabularEnvironment(maze: try task.maze(), observation: observation)
      for dtype in [DType.float64, .float32] {
        let batch = try uniformBatch(env, dtype: dtype)
        #expect(batch.terminated.contains(true), "\(reward) slippery \(slippery)")
        for tau in batch.trajectories() {
          let r = try env.relabel(tau)
          if dtype == .float64 {
            #expect(r == tau, "\(reward) slippery \(slippery) \(observation)")
          } else {
            #expect(r.terminated == tau.terminated && r.length == tau.length)
            expectClose(r.rewards, tau.rewards, rtol: 1e-6, atol: 1e-7, "float32 rewards")
          }
        }
      }
    }
  }

  @Test func navigationTrajectoryOfTaskAUnderTaskB() throws {
    // Sampled (by hand) on A, goal (0.5, 0): three moves right; the last action is clipped.
    let tau = Trajectory(observations: [0, 0, 0.1, 0, 0.2, 0], actions: [0.1, 0, 0.1, 0, 0.5, 0.02],
                         rewards: [-0.4, -0.3, -0.2], logProbs: [-1, -2, -3], observationSize: 2, actionSize: 2,
                         terminated: false, taskIndex: 4, features: [0.5, 0], finalObservation: [0.3, 0.02])
    // B, goal (0.2, 0): the second step reaches it (|dx| < 0.01): cut there.
    let b = try Navigation2D(goal: [0.2, 0])
    let r = try b.relabel(tau)
    #expect(r.length == 2 && r.terminated && r.taskIndex == 4 && r.features == [0.2, 0])
    expectClose(r.rewards, [-0.1, 0], atol: 1e-15)
    #expect(r.logProbs == [-1, -2] && r.observations == [0, 0, 0.1, 0] && r.actions == [0.1, 0, 0.1, 0])
    expectClose(r.finalObservation, [0.2, 0], atol: 1e-15)
    // C, goal (−0.5, 0.1), squared distance: never reached, every step relabelled, not terminated.
    let c = try Navigation2D(goal: [-0.5, 0.1], rewardForm: .squaredDistance)
    let rc = try c.relabel(tau)
    expectClose(rc.rewards, [-(0.36 + 0.01), -(0.49 + 0.01), -(0.64 + (0.1 - 0.02) * (0.1 - 0.02))], rtol: 1e-14)
    #expect(!rc.terminated && rc.length == 3 && rc.finalObservation == [0.3, 0.02])
    // A shorter horizon cuts too (not terminated).
    let h1 = try Navigation2D(goal: [-0.5, 0.1], horizon: 1).relabel(tau)
    #expect(h1.length == 1 && !h1.terminated && h1.finalObservation == [0.1, 0])
    // Sparse, radius 0.12 around (0.25, 0): the first step (to (0.1, 0)) is outside, the others pay.
    let rs = try Navigation2D.sparse(goal: [0.25, 0], radius: 0.12).relabel(tau)
    let d = (0.05 * 0.05 + 0.02 * 0.02).squareRoot()
    expectClose(rs.rewards, [0, 1 - 0.05, 1 - d], rtol: 1e-14)
    #expect(!rs.terminated)
  }

  @Test func mazeTrajectoryOfTaskAUnderTaskB() throws {
    let maze = try GridMaze(map: "S..\n...\n...", horizon: 10)
    let a = try TabularEnvironment(maze: try maze.withGoal(at: GridPosition(row: 2, column: 2)), observation: .oneHot)
    let b = try TabularEnvironment(maze: try maze.withGoal(at: GridPosition(row: 0, column: 2)), observation: .oneHot)
    func obs(_ r: Int, _ c: Int) -> [Double] {
      let s = maze.state(at: GridPosition(row: r, column: c)) ?? -1
      return Array(a.observationTable[(s * 9)..<((s + 1) * 9)])
    }
    // On A: right, right, down, down reaches A's goal (2, 2).
    let tau = Trajectory(observations: obs(0, 0) + obs(0, 1) + obs(0, 2) + obs(1, 2), actions: [3, 3, 1, 1],
                         rewards: [0, 0, 0, 1], logProbs: [-1.1, -1.2, -1.3, -1.4], observationSize: 9, actionSize: 1,
                         terminated: true, taskIndex: 2, features: a.features, finalObservation: obs(2, 2))
    #expect(try a.relabel(tau) == tau)
    // Under B the second step enters B's goal (0, 2): reward 1 there, cut, terminated.
    let r = try b.relabel(tau)
    #expect(r.rewards == [0, 1] && r.terminated && r.length == 2 && r.logProbs == [-1.1, -1.2])
    #expect(r.finalObservation == obs(0, 2) && r.features == b.features && r.taskIndex == 2)
    // Under a goal the path never visits, all zero and not terminated.
    let c = try TabularEnvironment(maze: try maze.withGoal(at: GridPosition(row: 2, column: 0)), observation: .oneHot)
    let rc = try c.relabel(tau)
    #expect(rc.rewards == [0, 0, 0, 0] && !rc.terminated)
  }

  @Test func relabellingFailuresAreClear() throws {
    let maze = try GridMaze(map: "S..\n...", horizon: 10)
    let env = try TabularEnvironment(maze: try maze.withGoal(at: GridPosition(row: 1, column: 2)), observation: .oneHot)
    let one = Array(env.observationTable[0..<6])
    let noFinal = Trajectory(observations: one, actions: [3], rewards: [0], logProbs: [-1], observationSize: 6,
                             actionSize: 1, terminated: false, taskIndex: 0, features: [])
    expectRLError(.shapeMismatch, containing: "observation after the last step (0) is unknown") { try env.relabel(noFinal) }
    let unknown = Trajectory(observations: [0.5, 0, 0, 0, 0, 0], actions: [3], rewards: [0], logProbs: [-1],
                             observationSize: 6, actionSize: 1, terminated: false, taskIndex: 0, features: [],
                             finalObservation: one)
    expectRLError(.outOfRange, containing: "observation of step 0 [0.5") { try env.relabel(unknown) }
    let badAction = Trajectory(observations: one, actions: [7], rewards: [0], logProbs: [-1], observationSize: 6,
                               actionSize: 1, terminated: false, taskIndex: 0, features: [], finalObservation: one)
    expectRLError(.outOfRange, containing: "action 7.0 of step 0") { try env.relabel(badAction) }
    let nav = try Navigation2D(goal: [0, 0])
    expectRLError(.shapeMismatch, containing: "navigation2D.relabel") { try nav.relabel(noFinal) }
    expectRLError(.shapeMismatch, containing: "the task has 6 and 1") {
      try env.relabel(Trajectory(observations: [0, 0], actions: [0, 0], rewards: [0], logProbs: [0], observationSize: 2,
                                 actionSize: 2, terminated: false, taskIndex: 0, features: []))
    }
  }
}
