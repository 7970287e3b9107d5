import HMTensor

/// Model-agnostic meta-learning for RL (Finn, Abbeel & Levine 2017, Algorithm 3), as
/// pytorch-maml-rl implements it (DESIGN.md §5). Implementation notes: `docs/algorithms/maml.md`.

/// The outer (meta) optimiser of MAML.
public enum MetaOptimizerKind: String, Codable, Sendable, CaseIterable {
  /// TRPO on the meta-objective (Finn et al. 2017; pytorch-maml-rl).
  case trpo
  /// Adam with rate β (the simpler optimiser of the JAX benchmark).
  case adam
}

/// The settings of ``maml(policy:tasks:initialParameters:configuration:)``; every field has a
/// default (pytorch-maml-rl's 2D-navigation settings) and is recorded with the result.
public struct MAMLConfiguration: Codable, Sendable, Equatable {
  /// α, the inner (adaptation) learning rate (default 0.1).
  public var innerLearningRate: Double = 0.1
  /// K, the inner gradient steps (default 1).
  public var innerSteps: Int = 1
  /// Whether the meta-gradient ignores second derivatives (first-order MAML; default false).
  public var firstOrder: Bool = false
  /// The tasks per meta-batch (default 20).
  public var metaBatchSize: Int = 20
  /// Episodes per task for each inner step (default 20).
  public var adaptationEpisodes: Int = 20
  /// Episodes per task sampled with the adapted θ′ for the outer objective (default 20).
  public var evaluationEpisodes: Int = 20
  /// γ (default 0.99).
  public var discount: Double = 0.99
  /// λ of GAE(λ) (default 1).
  public var gaeLambda: Double = 1
  /// Whether advantages are normalised per batch (default true).
  public var normalizeAdvantages: Bool = true
  /// The outer optimiser (default TRPO).
  public var outerOptimizer: MetaOptimizerKind = .trpo
  /// β, Adam's outer learning rate (default 1e-3).
  public var outerLearningRate: Double = 1e-3
  /// δ, TRPO's KL bound (default 0.01).
  public var maxKL: Double = 0.01
  /// TRPO's Fisher damping (default 1e-5).
  public var damping: Double = 1e-5
  /// TRPO's conjugate-gradient iterations (default 10).
  public var conjugateGradientIterations: Int = 10
  /// TRPO's backtracking ratio (default 0.8).
  public var lineSearchRatio: Double = 0.8
  /// TRPO's most line-search candidates (default 15).
  public var lineSearchSteps: Int = 15
  /// Meta-iterations N (default 500).
  public var iterations: Int = 500
  /// The seed every random stream derives from (default 0).
  public var seed: UInt64 = 0

  public init() {}

  /// The TRPO settings of the outer step.
  var trustRegion: NaturalGradientConfiguration {
    var c = NaturalGradientConfiguration()
    c.discount = discount
    c.gaeLambda = gaeLambda
    c.normalizeAdvantages = normalizeAdvantages
    c.maxKL = maxKL
    c.damping = damping
    c.conjugateGradientIterations = conjugateGradientIterations
    c.lineSearchRatio = lineSearchRatio
    c.lineSearchSteps = lineSearchSteps
    c.iterations = iterations
    c.episodes = evaluationEpisodes
    c.seed = seed
    return c
  }

  func validate(_ operation: String) throws {
    try trustRegion.validate(operation)
    try checkCounts(iterations: iterations, episodes: adaptationEpisodes, operation)
    guard innerLearningRate.isFinite, innerLearningRate >= 0, outerLearningRate.isFinite, outerLearningRate > 0 else {
      throw RLError(.invalidArgument, operation, "learning rates must be finite (inner >= 0, outer > 0), got \(innerLearningRate) and \(outerLearningRate)")
    }
    guard innerSteps >= 0, innerSteps <= 100 else {
      throw RLError(.invalidArgument, operation, "inner steps must be in 0...100, got \(innerSteps)")
    }
    guard metaBatchSize >= 1, metaBatchSize <= 1 << 16 else {
      throw RLError(.invalidArgument, operation, "meta-batch size must be in 1...65536, got \(metaBatchSize)")
    }
  }
}

/// One task's batches in a meta-batch: one adaptation batch per inner step, and the evaluation
/// batch sampled with the adapted θ′.
public struct MAMLTaskData {
  /// Dᵢ⁽ᵏ⁾ for k = 0 ..< K, sampled with θᵢ⁽ᵏ⁾.
  public var adaptation: [PolicyGradientData]
  /// Dᵢ′, sampled with θᵢ′ = θᵢ⁽ᴷ⁾.
  public var evaluation: PolicyGradientData

  public init(adaptation: [PolicyGradientData], evaluation: PolicyGradientData) {
    self.adaptation = adaptation
    self.evaluation = evaluation
  }
}

/// The inner loop: θ⁽ᵏ⁺¹⁾ = θ⁽ᵏ⁾ − α ∇θ L(θ⁽ᵏ⁾, D⁽ᵏ⁾) for each batch of `data` in order
/// (``reinforceLoss(_:parameters:data:)``).
///
/// - Parameters:
///   - secondOrder: differentiate through the inner gradients (`createGraph`), so the result
///     is a differentiable function of `parameters` to second order; false: first-order MAML
///     (the inner gradients are constants, the result still depends on θ by the identity).
/// - Throws: `RLError` for data that do not fit the policy.
public func adapt<P: StochasticPolicy>(_ policy: P, parameters: ParameterList, data: [PolicyGradientData],
                                       innerLearningRate: Double, secondOrder: Bool) throws -> ParameterList {
  // Constant parameters (a line-search candidate, a finite-difference probe) still adapt: their
  // inner gradients are taken at fresh leaves and the result is constant.
  if !parameters.tensors.contains(where: \.requiresGrad) {
    return try adapt(policy, parameters: parameters.variables(), data: data, innerLearningRate: innerLearningRate,
                     secondOrder: false).detached()
  }
  var theta = try parameters.replacing(parameters.tensors.map { $0.requiresGrad ? $0 : $0.variable() })
  for d in data {
    let loss = try reinforceLoss(policy, parameters: theta, data: d)
    theta = try learnerCall("adapt") {
      let g = try gradients(of: loss, wrt: theta.tensors, createGraph: secondOrder)
      return try theta.zipMap(g) { try $0 - $1 * innerLearningRate }
    }
  }
  return theta
}

/// The meta-objective (1/n) Σᵢ L(θᵢ′(θ), Dᵢ′) with θᵢ′ = ``adapt(_:parameters:data:innerLearningRate:secondOrder:)``
/// and L the importance-sampled ``surrogateLoss(_:parameters:data:)`` (at the sampling θ its
/// value and gradient are REINFORCE's). Its gradient with respect to `parameters` is the MAML
/// meta-gradient (second order unless `firstOrder`).
/// - Throws: `RLError` for an empty meta-batch or data that do not fit the policy.
public func mamlObjective<P: StochasticPolicy>(_ policy: P, parameters: ParameterList, tasks: [MAMLTaskData],
                                               innerLearningRate: Double, firstOrder: Bool) throws -> Tensor {
  guard !tasks.isEmpty else { throw RLError(.invalidArgument, "mamlObjective", "the meta-batch is empty") }
  var total: Tensor?
  for task in tasks {
    let adapted = try adapt(policy, parameters: parameters, data: task.adaptation,
                            innerLearningRate: innerLearningRate, secondOrder: !firstOrder)
    let l = try surrogateLoss(policy, parameters: adapted, data: task.evaluation)
    total = try learnerCall("mamlObjective") { try total.map { try $0 + l } ?? l }
  }
  return (total ?? Tensor(scalar: 0)) / Double(tasks.count)
}

/// The task indices of meta-iteration `iteration`: `count` draws, uniform with replacement over
/// `poolSize` tasks, from the stream `(seed, [iteration, 2³²])` (apart from the samplers').
func metaBatchIndices(seed: UInt64, iteration: Int, count: Int, poolSize: Int) -> [Int] {
  var rng = RandomStream(seed: seed, stream: [UInt64(iteration), 1 << 32])
  return (0..<count).map { _ in Int(rng.next() % UInt64(poolSize)) }
}

/// Meta-trains θ by MAML (Finn et al. 2017, Algorithm 3). Each meta-iteration n:
///
/// 1. draw a meta-batch of `metaBatchSize` tasks Tᵢ from `tasks`;
/// 2. for each task and inner step k: sample D⁽ᵏ⁾ with θᵢ⁽ᵏ⁾ and adapt,
///    θᵢ⁽ᵏ⁺¹⁾ = θᵢ⁽ᵏ⁾ − α ∇L(θᵢ⁽ᵏ⁾, D⁽ᵏ⁾);
/// 3. sample Dᵢ′ with θᵢ′ = θᵢ⁽ᴷ⁾;
/// 4. update θ on (1/n) Σᵢ L(θᵢ′(θ), Dᵢ′): Adam on its meta-gradient, or TRPO (Fisher-vector
///    products by double backpropagation through the adaptation, line search with first-order
///    re-adaptation).
///
/// Streams: the batch of inner step k of task i at meta-iteration n is sampled as iteration
/// `n·(K+1) + k` and task index i (the evaluation batch: k = K), so every episode draws from
/// `(seed, [n·(K+1)+k, i, e, ·])`.
/// - Throws: `RLError` for an invalid configuration or an empty task pool, and any error of
///   sampling, the policy or the outer step.
public func maml<E: EpisodicEnvironment, P: KLDivergencePolicy>(
  policy: P, tasks: [E], initialParameters: ParameterList,
  configuration: MAMLConfiguration = MAMLConfiguration(),
  resume: LearnerState? = nil, onIteration: IterationObserver? = nil) throws -> TrainingResult<MAMLConfiguration> {
  guard !tasks.isEmpty else { throw RLError(.invalidArgument, "maml", "the task pool is empty") }
  return try maml(policy: policy, initialParameters: initialParameters, configuration: configuration,
                  resume: resume, onIteration: onIteration) { iteration in
    metaBatchIndices(seed: configuration.seed, iteration: iteration, count: configuration.metaBatchSize,
                     poolSize: tasks.count).map { tasks[$0] }
  }
}

/// MAML with the meta-batch of each iteration given by `metaBatch(n)` (e.g. goals drawn from a
/// task family with the run's seed and n); otherwise as
/// ``maml(policy:tasks:initialParameters:configuration:)``.
/// - Throws: `RLError` for an invalid configuration or an empty meta-batch, and any error of
///   `metaBatch`, sampling, the policy or the outer step.
public func maml<E: EpisodicEnvironment, P: KLDivergencePolicy>(
  policy: P, initialParameters: ParameterList, configuration: MAMLConfiguration = MAMLConfiguration(),
  resume: LearnerState? = nil, onIteration: IterationObserver? = nil,
  metaBatch: (Int) throws -> [E]) throws -> TrainingResult<MAMLConfiguration> {
  let c = configuration, op = "maml"
  try c.validate(op)
  var adam = Adam(learningRate: c.outerLearningRate)
  var (theta, first) = try LearnerState.start(op, initialParameters: initialParameters, resume: resume, adam: &adam)
  var records: [IterationRecord] = []
  let phases = c.innerSteps + 1
  for iteration in min(first, c.iterations)..<c.iterations {
    let start = ContinuousClock.now
    let envs = try metaBatch(iteration)
    guard !envs.isEmpty else { throw RLError(.invalidArgument, op, "the meta-batch of iteration \(iteration) is empty") }
    // Steps 2–3: adaptation batches and evaluation batches, all tasks of a phase sampled together.
    // With Adam, θᵢ′ is computed once, as a function of θ (the graph of the inner gradients with
    // `createGraph` unless first order): the evaluation episodes are sampled with its values and
    // the outer step differentiates through it (no second adaptation for the meta-objective).
    let variables = theta.variables()
    let keepsGraph = c.outerOptimizer == .adam
    var adapted = [ParameterList](repeating: keepsGraph ? variables : theta, count: envs.count)
    var adaptationData = [[PolicyGradientData]](repeating: [], count: envs.count)
    var preReturns: [Double] = []
    for k in 0..<c.innerSteps {
      let batches = try sampleBatches(envs, policy: policy, parameters: adapted, episodes: c.adaptationEpisodes,
                                      seed: c.seed, iteration: iteration * phases + k)
      let stepped = try concurrentMap(envs.count) { i -> (PolicyGradientData, ParameterList) in
        let d = try PolicyGradientData(batch: batches[i], discount: c.discount, lambda: c.gaeLambda,
                                       normalize: c.normalizeAdvantages)
        let a = try adapt(policy, parameters: adapted[i], data: [d], innerLearningRate: c.innerLearningRate,
                          secondOrder: keepsGraph && !c.firstOrder)
        return (d, keepsGraph ? a : a.detached())
      }
      for (i, (d, a)) in stepped.enumerated() {
        if k == 0 { preReturns.append(d.meanReturn) }
        adaptationData[i].append(d)
        adapted[i] = a
      }
    }
    let evaluation = try sampleBatches(envs, policy: policy, parameters: adapted, episodes: c.evaluationEpisodes,
                                       seed: c.seed, iteration: iteration * phases + c.innerSteps)
    let taskData = try concurrentMap(envs.count) { i in
      MAMLTaskData(adaptation: adaptationData[i],
                   evaluation: try PolicyGradientData(batch: evaluation[i], discount: c.discount, lambda: c.gaeLambda,
                                                      normalize: c.normalizeAdvantages))
    }
    let postReturn = taskData.map(\.evaluation.meanReturn).reduce(0, +) / Double(taskData.count)
    let preReturn = preReturns.isEmpty ? postReturn : preReturns.reduce(0, +) / Double(preReturns.count)
    // Step 4: the outer update.
    var record = IterationRecord(iteration: iteration, meanReturn: preReturn, adaptedReturn: postReturn,
                                 loss: .nan, wallTime: 0)
    switch c.outerOptimizer {
    case .adam:
      // The meta-gradient of (1/n) Σᵢ L(θᵢ′(θ), Dᵢ′) task by task (tasks over threads), summed in
      // task order: the same for any thread count.
      let n = Double(taskData.count)
      let perTask = try concurrentMap(taskData.count) { i -> (Tensor, [Tensor]) in
        let l = try surrogateLoss(policy, parameters: adapted[i], data: taskData[i].evaluation)
        return (l.detached(), try learnerCall(op) { try gradients(of: l / n, wrt: variables.tensors) })
      }
      adapted = []
      let g = try learnerCall(op) {
        try perTask.dropFirst().reduce(perTask[0].1) { acc, t in try zip(acc, t.1).map { try $0 + $1 } }
      }
      theta = try learnerCall(op) { try adam.step(theta, gradients: g) }
      let objective = try learnerCall(op) { try perTask.dropFirst().reduce(perTask[0].0) { try $0 + $1.0 } / n }
      record.loss = objective.scalar ?? .nan
    case .trpo:
      let oldAdapted = adapted
      let meanKLOverTasks = { (p: ParameterList, secondOrder: Bool) throws -> Tensor in
        var total: Tensor?
        for (i, task) in taskData.enumerated() {
          let a = try adapt(policy, parameters: p, data: task.adaptation, innerLearningRate: c.innerLearningRate,
                            secondOrder: secondOrder)
          let d = try meanKL(policy, from: oldAdapted[i], to: a, data: task.evaluation)
          total = try learnerCall(op) { try total.map { try $0 + d } ?? d }
        }
        return (total ?? Tensor(scalar: 0)) / Double(taskData.count)
      }
      let step = try trustRegionStep(
        parameters: theta, configuration: c.trustRegion, lineSearch: true,
        loss: { try mamlObjective(policy, parameters: $0, tasks: taskData, innerLearningRate: c.innerLearningRate,
                                  firstOrder: c.firstOrder) },
        kl: { try meanKLOverTasks($0, !c.firstOrder) },
        candidate: { p in
          try learnerCall(op) {
            (try mamlObjective(policy, parameters: p, tasks: taskData, innerLearningRate: c.innerLearningRate,
                               firstOrder: true).item(),
             try meanKLOverTasks(p, false).item())
          }
        })
      theta = step.parameters
      record.loss = step.loss
      record.klDivergence = step.klDivergence
      record.lineSearchSteps = step.lineSearchSteps
      record.accepted = step.accepted
    }
    record.wallTime = seconds(since: start)
    records.append(record)
    if let onIteration {
      let state = LearnerState(parameters: theta, iterationsDone: iteration + 1,
                               adam: c.outerOptimizer == .adam ? try learnerCall(op) { try adam.state(shapedLike: theta) } : nil)
      if !onIteration(record, state) { break }
    }
  }
  return TrainingResult(parameters: theta, records: records, configuration: c)
}
