import Foundation
import Testing
@testable import HMRL
import HMTensor

/// A run stopped after some iterations and resumed from its checkpoint file ends exactly where the
/// uninterrupted run ends: θ, the optimiser's moments and every stream are restored.
struct ResumeTests {
  let maze: GridMaze
  let tasks: [TabularEnvironment]
  let policy: TabularSoftmaxPolicy
  let theta0: ParameterList

  init() throws {
    maze = try GridMaze(map: "S...\n....\n....", horizon: 8)
    tasks = try goalTasks(maze).prefix(4).map { try TabularEnvironment(maze: try $0.maze(), observation: .oneHot) }
    policy = try TabularSoftmaxPolicy(mdp: maze.mdp)
    var rng = RandomStream(seed: 0)
    theta0 = try policy.initialParameters(using: &rng)
  }

  /// Runs `train` to the end, and again stopping after `stop` iterations, saving the state to a
  /// file, loading it and resuming; returns both final θ.
  func straightAndResumed(stop: Int, _ train: (LearnerState?, IterationObserver?) throws -> ParameterList) throws -> ([Double], [Double]) {
    let straight = try train(nil, nil).flattened().toArray()
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hm-resume-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var saved = false
    _ = try train(nil) { _, state in
      guard state.iterationsDone == stop else { return true }
      do { try state.save(to: path, metadata: ["learner": "test"]); saved = true } catch { Issue.record("\(error)") }
      return false
    }
    #expect(saved)
    let (state, metadata) = try LearnerState.load(from: path)
    #expect(state.iterationsDone == stop && metadata["learner"] == "test")
    let resumed = try train(state, nil).flattened().toArray()
    return (straight, resumed)
  }

  @Test(arguments: [MetaOptimizerKind.adam, .trpo])
  func mamlResumesExactly(_ outer: MetaOptimizerKind) throws {
    var config = MAMLConfiguration()
    config.iterations = 4; config.metaBatchSize = 2; config.adaptationEpisodes = 4; config.evaluationEpisodes = 4
    config.outerOptimizer = outer; config.outerLearningRate = 0.1
    let (a, b) = try straightAndResumed(stop: 2) { resume, observe in
      try maml(policy: policy, tasks: tasks, initialParameters: theta0, configuration: config, resume: resume, onIteration: observe).parameters
    }
    #expect(a == b)
    #expect(try a != theta0.flattened().toArray())
  }

  @Test(arguments: [GradientOptimizerKind.adam, .sgd])
  func vpgResumesExactly(_ optimizer: GradientOptimizerKind) throws {
    var config = PolicyGradientConfiguration()
    config.iterations = 5; config.episodes = 6; config.optimizer = optimizer; config.learningRate = 0.2
    let (a, b) = try straightAndResumed(stop: 3) { resume, observe in
      try vpg(policy: policy, environment: tasks[1], initialParameters: theta0, configuration: config, resume: resume, onIteration: observe).parameters
    }
    #expect(a == b)
  }

  @Test func trpoAndReptileResumeExactly() throws {
    var n = NaturalGradientConfiguration()
    n.iterations = 4; n.episodes = 6
    let (a, b) = try straightAndResumed(stop: 1) { resume, observe in
      try trpo(policy: policy, environment: tasks[2], initialParameters: theta0, configuration: n, resume: resume, onIteration: observe).parameters
    }
    #expect(a == b)
    var r = ReptileConfiguration()
    r.iterations = 3; r.innerSteps = 2; r.episodes = 4; r.metaBatchSize = 2
    let (c, d) = try straightAndResumed(stop: 2) { resume, observe in
      try reptile(policy: policy, initialParameters: theta0, configuration: r, resume: resume, onIteration: observe) { k in
        [tasks[k % 4], tasks[(k + 1) % 4]]
      }.parameters
    }
    #expect(c == d)
  }

  @Test func aStateThatDoesNotFitIsAnError() throws {
    let other = try ParameterList([("logits", try Tensor.zeros([3, 4]))])
    let state = LearnerState(parameters: other, iterationsDone: 1)
    expectRLError(.shapeMismatch, containing: "vpg") {
      try vpg(policy: policy, environment: tasks[0], initialParameters: theta0, resume: state)
    }
    // Files: not a learner state, a truncated one, moments that do not match θ.
    let dir = FileManager.default.temporaryDirectory
    let plain = dir.appendingPathComponent("hm-plain-\(UUID()).safetensors").path
    try Safetensors.save(theta0, to: plain)
    expectRLError(.invalidArgument, containing: "not an hmaml learner state") { try LearnerState.load(from: plain) }
    let good = dir.appendingPathComponent("hm-state-\(UUID()).safetensors").path
    let adam = AdamState(stepCount: 2, first: theta0.tensors, second: theta0.tensors)
    try LearnerState(parameters: theta0, iterationsDone: 2, adam: adam).save(to: good)
    #expect(try LearnerState.load(from: good).state.adam?.stepCount == 2)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: good))
    #expect(throws: RLError.self) { try LearnerState.load(from: good) }
    let mismatched = LearnerState(parameters: theta0, iterationsDone: 2, adam: AdamState(stepCount: 2, first: [], second: []))
    let bad = dir.appendingPathComponent("hm-bad-\(UUID()).safetensors").path
    try mismatched.save(to: bad)
    expectRLError(.invalidArgument, containing: "moments") { try LearnerState.load(from: bad) }
    for p in [plain, good, bad] { try? FileManager.default.removeItem(atPath: p) }
    #expect(throws: RLError.self) { try LearnerState(parameters: theta0, iterationsDone: 0).save(to: bad, metadata: ["format": "x"]) }
  }
}
