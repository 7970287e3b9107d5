#if canImport(Glibc)
import Glibc
#endif
import Testing
import HMTensor
import HMTestSupport
@testable import HMRL

/// A 3×3 maze with one wall: the goal is 4 moves from the start.
private let smallMap = """
  S..
  .#.
  ..G
  """

/// A fixed batch on the small maze with the dense reward (every episode has a non-trivial
/// return; episodes reaching the goal end early, so there is padding), float64, its policy and
/// random logits θ.
private func fixture(seed: UInt64 = 7, episodes: Int = 16, horizon: Int = 8)
  throws -> (TabularSoftmaxPolicy, TabularEnvironment, ParameterList, Batch) {
  let maze = try GridMaze(map: smallMap, horizon: horizon, reward: .dense)
  let env = try TabularEnvironment(maze: maze, observation: .oneHot)
  let policy = try TabularSoftmaxPolicy(stateCount: maze.stateCount, actionCount: maze.actionCount, dtype: .float64)
  var rng = RandomStream(seed: seed)
  let theta = try ParameterList([("logits", Tensor.normal([maze.stateCount, maze.actionCount], std: 0.5,
                                                           dtype: .float64, using: &rng))])
  let batch = try sampleBatch(env, policy: policy, parameters: theta, episodes: episodes, seed: seed, dtype: .float64)
  return (policy, env, theta, batch)
}

/// θ + h v for flat v.
private func shifted(_ theta: ParameterList, _ v: [Double], _ h: Double) throws -> ParameterList {
  let flat = try theta.flattened().toArray()
  return try theta.unflattened(Tensor(zip(flat, v).map { $0 + h * $1 }, shape: [flat.count], dtype: .float64))
}

private func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
  zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Suite struct LearnerTests {
  @Test func reinforceGradientMatchesFiniteDifferences() throws {
    let (policy, _, theta, batch) = try fixture()
    let data = try PolicyGradientData(batch: batch)
    let vars = theta.variables()
    let g = try flatten(try gradients(of: try reinforceLoss(policy, parameters: vars, data: data), wrt: vars.tensors), "test").toArray()
    let n = theta.scalarCount, h = 1e-6
    for i in 0..<n {
      var e = [Double](repeating: 0, count: n); e[i] = 1
      let fd = (try reinforceLoss(policy, parameters: shifted(theta, e, h), data: data).item()
                - reinforceLoss(policy, parameters: shifted(theta, e, -h), data: data).item()) / (2 * h)
      #expect(abs(fd - g[i]) < 1e-7, "coordinate \(i): \(fd) vs \(g[i])")
    }
    #expect((g.map(abs).max() ?? 0) > 1e-3, "the gradient should not vanish")
    // At the sampling θ the surrogate's value and gradient are REINFORCE's.
    let gs = try flatten(try gradients(of: try surrogateLoss(policy, parameters: vars, data: data), wrt: vars.tensors), "test").toArray()
    #expect(maxAbsDifference(g, gs) < 1e-9)
  }

  @Test func paddedStepsDoNotEnterTheLoss() throws {
    let maze = try GridMaze(map: "S.G", horizon: 6)
    let env = try TabularEnvironment(maze: maze, observation: .oneHot)
    let policy = try TabularSoftmaxPolicy(mdp: maze.mdp, dtype: .float64)
    let theta = try ParameterList([("logits", try Tensor.zeros([maze.stateCount, maze.actionCount], dtype: .float64))])
    let batch = try sampleBatch(env, policy: policy, parameters: theta, episodes: 16, seed: 2, dtype: .float64)
    #expect(batch.lengths.contains { $0 < batch.horizon }, "the fixture should have padded steps")
    let data = try PolicyGradientData(batch: batch)
    let w = data.weights.toArray(), m = batch.masks.toArray()
    for i in w.indices where m[i] == 0 { #expect(w[i] == 0) }
    expectRelative(w.reduce(0, +), 1, 1e-12, "weights sum to 1")
    #expect(try reinforceLoss(policy, parameters: theta, data: data).item().isFinite)
  }

  @Test func fisherVectorProductMatchesFiniteDifferencesOfKLGradients() throws {
    let (policy, _, theta, batch) = try fixture()
    let data = try PolicyGradientData(batch: batch)
    let kl = { (p: ParameterList) throws -> Tensor in try meanKL(policy, from: theta, to: p, data: data) }
    var rng = RandomStream(seed: 3)
    let v = (0..<theta.scalarCount).map { _ in rng.normal() }
    let vT = try Tensor(v, shape: [v.count], dtype: .float64)
    let fv = try fisherVectorProduct(at: theta, vector: vT, damping: 0, kl: kl).toArray()
    func klGradient(_ p: ParameterList) throws -> [Double] {
      let vars = p.variables()
      return try flatten(try gradients(of: try kl(vars), wrt: vars.tensors), "test").toArray()
    }
    let h = 1e-5
    let plus = try klGradient(shifted(theta, v, h)), minus = try klGradient(shifted(theta, v, -h))
    let fd = zip(plus, minus).map { ($0 - $1) / (2 * h) }
    let scale = fd.map(abs).max() ?? 1
    #expect(scale > 1e-3, "the product should not vanish")
    #expect(maxAbsDifference(fv, fd) < 1e-6 * max(1, scale), "FVP \(fv) vs FD \(fd)")
    // The damping adds β v; vᵀ F v ≥ 0.
    let damped = try fisherVectorProduct(at: theta, vector: vT, damping: 0.5, kl: kl).toArray()
    #expect(maxAbsDifference(damped, zip(fv, v).map { $0 + 0.5 * $1 }) < 1e-12)
    #expect(zip(fv, v).map(*).reduce(0, +) >= 0)
  }

  @Test func analyticFisherProductEqualsDoubleBackpropagation() throws {
    let (policy, env, theta, batch) = try fixture()
    let data = try PolicyGradientData(batch: batch)
    let kl = { (p: ParameterList) throws -> Tensor in try meanKL(policy, from: theta, to: p, data: data) }
    var rng = RandomStream(seed: 4)
    for _ in 0..<3 {
      let v = (0..<theta.scalarCount).map { _ in rng.normal() }
      let vT = try Tensor(v, shape: [v.count], dtype: .float64)
      let viaGraph = try fisherVectorProduct(at: theta, vector: vT, damping: 0, kl: kl).toArray()
      let analytic = try policy.fisherVectorProduct(data.observations, weights: data.weights, parameters: theta, vector: vT).toArray()
      let scale = viaGraph.map(abs).max() ?? 1
      #expect(scale > 1e-3)
      #expect(maxAbsDifference(analytic, viaGraph) < 1e-12 * max(1, scale), "analytic \(analytic) vs \(viaGraph)")
      // Its failure twin: at other parameters the product differs.
      let moved = try shifted(theta, v, 0.5)
      let elsewhere = try policy.fisherVectorProduct(data.observations, weights: data.weights, parameters: moved, vector: vT).toArray()
      #expect(maxAbsDifference(elsewhere, viaGraph) > 1e-6)
    }
    expectRLError(.shapeMismatch, containing: "fisherVectorProduct") {
      try policy.fisherVectorProduct(data.observations, weights: data.weights, parameters: theta, vector: try Tensor.zeros([3]))
    }
    // Observations that are not one-hot take the general form O V / Oᵀ Y.
    let dense = randomTensor([5, policy.stateCount], seed: 9, low: 0, high: 1)
    let w = randomTensor([5], seed: 10, low: 0, high: 0.3)
    let denseKL = { (p: ParameterList) throws -> Tensor in
      try (try policy.klDivergence(dense, from: theta, to: p) * w).sum()
    }
    let v = randomTensor([theta.scalarCount], seed: 11)
    let viaGraph = try fisherVectorProduct(at: theta, vector: v, damping: 0, kl: denseKL).toArray()
    let analytic = try policy.fisherVectorProduct(dense, weights: w, parameters: theta, vector: v).toArray()
    #expect(maxAbsDifference(analytic, viaGraph) < 1e-12 * max(1, viaGraph.map(abs).max() ?? 1))
    // TRPO takes the same steps either way: the same batches, line searches and returns; θ agrees
    // to the rounding that conjugate gradient on the barely damped F (β = 1e-5) amplifies.
    var c = NaturalGradientConfiguration()
    c.iterations = 3; c.episodes = 8
    let a = try trpo(policy: policy, environment: env, initialParameters: theta, configuration: c)
    c.analyticFisher = false
    let b = try trpo(policy: policy, environment: env, initialParameters: theta, configuration: c)
    #expect(a.records.map(\.meanReturn) == b.records.map(\.meanReturn))
    #expect(a.records.map(\.lineSearchSteps) == b.records.map(\.lineSearchSteps))
    #expect(maxAbsDifference(try a.parameters.flattened().toArray(), try b.parameters.flattened().toArray()) < 1e-4)
    #expect(a.configuration.analyticFisher && !b.configuration.analyticFisher)
  }

  @Test func fisherVectorProductRejectsAVectorOfTheWrongSize() throws {
    let (policy, _, theta, batch) = try fixture()
    let data = try PolicyGradientData(batch: batch)
    expectRLError(.shapeMismatch, containing: "fisherVectorProduct") {
      try fisherVectorProduct(at: theta, vector: Tensor([1, 2], dtype: .float64), damping: 0) {
        try meanKL(policy, from: theta, to: $0, data: data)
      }
    }
  }

  @Test func gaussianKLIsZeroAtTheSameParametersAndMatchesTheClosedForm() throws {
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [4], dtype: .float64)
    var rng = RandomStream(seed: 1)
    let p = try policy.initialParameters(using: &rng)
    let obs = try Tensor.normal([5, 2], dtype: .float64, using: &rng)
    #expect(try policy.klDivergence(obs, from: p, to: p).toArray().allSatisfy { abs($0) < 1e-12 })
    // Shifting log σ by c (same mean): KL = d·(c + (e^{−2c} − 1)/2).
    let c = 0.3
    let q = try p.replacing(p.tensors.dropLast() + [p.tensors[p.count - 1] + c])
    let expected = 2 * (c + (exp(-2 * c) - 1) / 2)
    for k in try policy.klDivergence(obs, from: p, to: q).toArray() { expectRelative(k, expected, 1e-9, "Gaussian KL") }
  }

  /// The meta-gradient of a categorical MLP on maze coordinates (a one-hot tabular policy with
  /// the linear feature baseline has an exactly vanishing inner Hessian: the baseline's residuals
  /// are orthogonal to every state's indicator, so it would not test the second-order term).
  @Test func metaGradientMatchesCentralFiniteDifferences() throws {
    let maze = try GridMaze(map: smallMap, horizon: 8, reward: .dense)
    let env = try TabularEnvironment(maze: maze, observation: .normalizedCoordinates)
    let policy = try CategoricalMLPPolicy(observationSize: 2, actionCount: maze.actionCount, hidden: [5], dtype: .float64)
    var rng = RandomStream(seed: 11)
    let theta = try policy.initialParameters(using: &rng)
    let adaptBatch = try sampleBatch(env, policy: policy, parameters: theta, episodes: 16, seed: 11, dtype: .float64)
    let alpha = 0.5
    let adaptData = try PolicyGradientData(batch: adaptBatch)
    let adapted = try adapt(policy, parameters: theta, data: [adaptData], innerLearningRate: alpha, secondOrder: false)
    let evalBatch = try sampleBatch(env, policy: policy, parameters: adapted, episodes: 16, seed: 11, iteration: 1, dtype: .float64)
    let tasks = [MAMLTaskData(adaptation: [adaptData], evaluation: try PolicyGradientData(batch: evalBatch))]
    func objective(_ p: ParameterList, firstOrder: Bool = false) throws -> Tensor {
      try mamlObjective(policy, parameters: p, tasks: tasks, innerLearningRate: alpha, firstOrder: firstOrder)
    }
    let vars = theta.variables()
    let meta = try flatten(try gradients(of: try objective(vars), wrt: vars.tensors), "test").toArray()
    let n = theta.scalarCount, h = 1e-5
    var fd = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var e = [Double](repeating: 0, count: n); e[i] = 1
      fd[i] = (try objective(shifted(theta, e, h)).item() - objective(shifted(theta, e, -h)).item()) / (2 * h)
    }
    let scale = fd.map(abs).max() ?? 0
    #expect(scale > 1e-3)
    #expect(maxAbsDifference(meta, fd) < 1e-6 * max(1, scale), "meta-gradient \(meta) vs FD \(fd)")
    // First-order MAML drops the Hessian term, which is not negligible here.
    let fo = try flatten(try gradients(of: try objective(vars, firstOrder: true), wrt: vars.tensors), "test").toArray()
    #expect(maxAbsDifference(fo, fd) > 1e-4)
  }

  @Test func naturalGradientExpertReachesTheValueIterationOptimum() throws {
    let maze = try GridMaze(map: smallMap, horizon: 8)
    let env = try TabularEnvironment(maze: maze, observation: .oneHot)
    let policy = try TabularSoftmaxPolicy(mdp: maze.mdp)
    var rng = RandomStream(seed: 0)
    var config = NaturalGradientConfiguration()
    config.maxKL = 0.1
    config.damping = 1e-3
    config.iterations = 30
    config.episodes = 20
    config.seed = 5
    let result = try npg(policy: policy, environment: env, initialParameters: try policy.initialParameters(using: &rng),
                         configuration: config)
    let optimum = valueIteration(maze.mdp).expectedReturn
    let achieved = try policyEvaluation(maze.mdp, try policy.tabularPolicy(parameters: result.parameters)).expectedReturn
    #expect(achieved >= 0.95 * optimum, "NPG expert \(achieved), optimum \(optimum)")
    #expect(result.records.count == 30)
    #expect(result.records.allSatisfy { ($0.klDivergence ?? .nan).isFinite })
  }

  @Test func trpoImprovesAndRespectsTheKLBound() throws {
    let maze = try GridMaze(map: smallMap, horizon: 8, reward: .minigrid)
    let env = try TabularEnvironment(maze: maze, observation: .oneHot)
    let policy = try TabularSoftmaxPolicy(mdp: maze.mdp)
    var rng = RandomStream(seed: 0)
    var config = NaturalGradientConfiguration()
    config.maxKL = 0.05
    config.iterations = 15
    let theta0 = try policy.initialParameters(using: &rng)
    let result = try trpo(policy: policy, environment: env, initialParameters: theta0, configuration: config)
    for r in result.records where r.accepted {
      #expect((r.klDivergence ?? .infinity) <= config.maxKL)
      #expect((r.lineSearchSteps ?? 0) >= 1)
    }
    let before = try policyEvaluation(maze.mdp, try policy.tabularPolicy(parameters: theta0)).expectedReturn
    let after = try policyEvaluation(maze.mdp, try policy.tabularPolicy(parameters: result.parameters)).expectedReturn
    #expect(after > before + 0.1, "TRPO \(before) → \(after)")
  }

  @Test func vpgImprovesTheReturnAndIsReproducible() throws {
    let maze = try GridMaze(map: smallMap, horizon: 8)
    let env = try TabularEnvironment(maze: maze, observation: .oneHot)
    let policy = try TabularSoftmaxPolicy(mdp: maze.mdp)
    var rng = RandomStream(seed: 0)
    var config = PolicyGradientConfiguration()
    config.learningRate = 1
    config.iterations = 20
    let theta0 = try policy.initialParameters(using: &rng)
    let a = try vpg(policy: policy, environment: env, initialParameters: theta0, configuration: config)
    let b = try vpg(policy: policy, environment: env, initialParameters: theta0, configuration: config)
    #expect(a.records.map(\.meanReturn) == b.records.map(\.meanReturn))
    #expect(a.records.map(\.loss) == b.records.map(\.loss))
    let before = try policyEvaluation(maze.mdp, try policy.tabularPolicy(parameters: theta0)).expectedReturn
    let after = try policyEvaluation(maze.mdp, try policy.tabularPolicy(parameters: a.parameters)).expectedReturn
    #expect(after > before, "VPG \(before) → \(after)")
    #expect(a.configuration == config)
  }

  @Test func invalidConfigurationsThrow() throws {
    let maze = try GridMaze(map: smallMap, horizon: 8)
    let env = try TabularEnvironment(maze: maze, observation: .oneHot)
    let policy = try TabularSoftmaxPolicy(mdp: maze.mdp)
    let theta = try ParameterList([("logits", try Tensor.zeros([maze.stateCount, maze.actionCount]))])
    var pg = PolicyGradientConfiguration(); pg.discount = 1.5
    expectRLError(.invalidArgument, containing: "vpg") { try vpg(policy: policy, environment: env, initialParameters: theta, configuration: pg) }
    var ng = NaturalGradientConfiguration(); ng.maxKL = 0
    expectRLError(.invalidArgument, containing: "trpo") { try trpo(policy: policy, environment: env, initialParameters: theta, configuration: ng) }
    var m = MAMLConfiguration(); m.metaBatchSize = 0
    expectRLError(.invalidArgument, containing: "maml") { try maml(policy: policy, tasks: [env], initialParameters: theta, configuration: m) }
    expectRLError(.invalidArgument, containing: "task pool") { try maml(policy: policy, tasks: [TabularEnvironment](), initialParameters: theta) }
  }

  /// Goal tasks on the small maze: every free cell but the start.
  private func goalTasks() throws -> (GridMaze, [TabularEnvironment]) {
    let maze = try GridMaze(map: smallMap, horizon: 8)
    let goals = maze.positions.filter { $0 != maze.start && $0 != maze.goal }
    let tasks = try goals.map { try TabularEnvironment(maze: maze.withGoal(at: $0), observation: .oneHot) }
    return (maze, tasks)
  }

  @Test(arguments: [MetaOptimizerKind.trpo, .adam])
  func mamlRunsReproduciblyAndRecordsEveryIteration(_ outer: MetaOptimizerKind) throws {
    let (maze, tasks) = try goalTasks()
    let policy = try TabularSoftmaxPolicy(mdp: maze.mdp)
    var rng = RandomStream(seed: 0)
    let theta0 = try policy.initialParameters(using: &rng)
    var config = MAMLConfiguration()
    config.iterations = 3
    config.metaBatchSize = 3
    config.adaptationEpisodes = 5
    config.evaluationEpisodes = 5
    config.innerSteps = 2
    config.outerOptimizer = outer
    config.outerLearningRate = 0.1
    let a = try maml(policy: policy, tasks: tasks, initialParameters: theta0, configuration: config)
    let b = try maml(policy: policy, tasks: tasks, initialParameters: theta0, configuration: config)
    #expect(a.records.count == 3)
    #expect(a.records.map(\.meanReturn) == b.records.map(\.meanReturn))
    #expect(a.records.map(\.adaptedReturn) == b.records.map(\.adaptedReturn))
    #expect(a.records.allSatisfy { $0.loss.isFinite && ($0.adaptedReturn ?? .nan).isFinite })
    #expect(try a.parameters.flattened().toArray() == b.parameters.flattened().toArray())
    if outer == .trpo {
      for r in a.records where r.accepted { #expect((r.klDivergence ?? .infinity) <= config.maxKL) }
    }
    #expect(try a.parameters.flattened().toArray() != theta0.flattened().toArray())
  }

  @Test func constantParametersAdaptLikeVariables() throws {
    let (policy, _, theta, batch) = try fixture()
    let data = try PolicyGradientData(batch: batch)
    let fromConstants = try adapt(policy, parameters: theta, data: [data], innerLearningRate: 0.5, secondOrder: true)
    let fromVariables = try adapt(policy, parameters: theta.variables(), data: [data], innerLearningRate: 0.5, secondOrder: true)
    #expect(try fromConstants.flattened().toArray() == fromVariables.flattened().toArray())
    #expect(try fromConstants.flattened().toArray() != theta.flattened().toArray())
    let allConstant = fromConstants.tensors.allSatisfy { $0.isConstant }
    #expect(allConstant)
  }

  /// TRPO's outer Fisher-vector product goes through the adaptation step: against finite
  /// differences of the gradient of θ ↦ KL(π_θ′old ‖ π_θ′(θ)).
  @Test func metaFisherVectorProductMatchesFiniteDifferences() throws {
    let maze = try GridMaze(map: smallMap, horizon: 8, reward: .dense)
    let env = try TabularEnvironment(maze: maze, observation: .normalizedCoordinates)
    let policy = try CategoricalMLPPolicy(observationSize: 2, actionCount: maze.actionCount, hidden: [5], dtype: .float64)
    var rng = RandomStream(seed: 4)
    let theta = try policy.initialParameters(using: &rng)
    let data = try PolicyGradientData(batch: try sampleBatch(env, policy: policy, parameters: theta, episodes: 12, seed: 4, dtype: .float64))
    let old = try adapt(policy, parameters: theta, data: [data], innerLearningRate: 0.5, secondOrder: false)
    let kl = { (p: ParameterList) throws -> Tensor in
      try meanKL(policy, from: old, to: try adapt(policy, parameters: p, data: [data], innerLearningRate: 0.5, secondOrder: true), data: data)
    }
    let v = (0..<theta.scalarCount).map { _ in rng.normal() }
    let fv = try fisherVectorProduct(at: theta, vector: Tensor(v, shape: [v.count], dtype: .float64), damping: 0, kl: kl).toArray()
    func klGradient(_ p: ParameterList) throws -> [Double] {
      let vars = p.variables()
      return try flatten(try gradients(of: try kl(vars), wrt: vars.tensors), "test").toArray()
    }
    let h = 1e-5
    let plus = try klGradient(shifted(theta, v, h)), minus = try klGradient(shifted(theta, v, -h))
    let fd = zip(plus, minus).map { ($0 - $1) / (2 * h) }
    let scale = fd.map(abs).max() ?? 0
    #expect(scale > 1e-4)
    #expect(maxAbsDifference(fv, fd) < 1e-6 * max(1, scale), "FVP \(fv) vs FD \(fd)")
  }

  @Test func mamlTrainsAGaussianPolicyOnNavigation() throws {
    let family = try Navigation2DFamily.canonical(horizon: 10)
    let tasks = try (0..<4).map { try family.task(seed: 1, index: $0) }
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [8])
    var rng = RandomStream(seed: 0)
    var config = MAMLConfiguration()
    config.iterations = 2
    config.metaBatchSize = 2
    config.adaptationEpisodes = 4
    config.evaluationEpisodes = 4
    let result = try maml(policy: policy, tasks: tasks, initialParameters: try policy.initialParameters(using: &rng),
                          configuration: config)
    #expect(result.records.count == 2)
    // Goals drawn from the family per iteration.
    let drawn = try maml(policy: policy, initialParameters: result.parameters, configuration: config) { n in
      try (0..<config.metaBatchSize).map { try family.task(seed: config.seed, iteration: n, index: $0) }
    }
    #expect(drawn.records.allSatisfy { $0.loss.isFinite })
    for r in result.records {
      #expect(r.meanReturn.isFinite && (r.adaptedReturn ?? .nan).isFinite && r.loss.isFinite)
      if r.accepted { #expect((r.klDivergence ?? .infinity) <= config.maxKL) }
    }
  }

  @Test func reptileMovesTowardsTheAdaptedParametersReproducibly() throws {
    let (maze, tasks) = try goalTasks()
    let policy = try TabularSoftmaxPolicy(mdp: maze.mdp)
    var rng = RandomStream(seed: 0)
    let theta0 = try policy.initialParameters(using: &rng)
    var config = ReptileConfiguration()
    config.iterations = 3
    config.innerSteps = 2
    config.episodes = 5
    config.metaBatchSize = 2
    let batch = { (n: Int) in [tasks[n % tasks.count], tasks[(n + 1) % tasks.count]] }
    let a = try reptile(policy: policy, initialParameters: theta0, configuration: config, metaBatch: batch)
    let b = try reptile(policy: policy, initialParameters: theta0, configuration: config, metaBatch: batch)
    #expect(try a.parameters.flattened().toArray() == b.parameters.flattened().toArray())
    #expect(try a.parameters.flattened().toArray() != theta0.flattened().toArray())
    #expect(a.records.count == 3)
    var bad = config; bad.outerStepSize = 0
    expectRLError(.invalidArgument, containing: "reptile") {
      try reptile(policy: policy, initialParameters: theta0, configuration: bad, metaBatch: batch)
    }
    expectRLError(.invalidArgument, containing: "empty") {
      try reptile(policy: policy, initialParameters: theta0, configuration: config) { _ in [TabularEnvironment]() }
    }
  }
}
