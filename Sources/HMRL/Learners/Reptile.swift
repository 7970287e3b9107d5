import HMTensor

/// Reptile (Nichol, Achiam & Schulman 2018, Algorithm 1 "serial"; Algorithm 2 when the
/// meta-batch has several tasks) with REINFORCE inner steps. Notes: `docs/algorithms/maml.md`.

/// The settings of ``reptile(policy:initialParameters:configuration:metaBatch:)``; every field
/// has a default and is recorded with the result.
public struct ReptileConfiguration: Codable, Sendable, Equatable {
  /// α, the inner learning rate (default 0.1).
  public var innerLearningRate: Double = 0.1
  /// k, inner steps per task, each on a fresh batch (default 5).
  public var innerSteps: Int = 5
  /// The inner optimiser (default SGD; Adam restarts for every task).
  public var innerOptimizer: GradientOptimizerKind = .sgd
  /// ε, the outer step size: θ ← θ + ε (mean W̃ − θ) (default 0.1).
  public var outerStepSize: Double = 0.1
  /// Tasks per iteration (default 1: the serial algorithm).
  public var metaBatchSize: Int = 1
  /// B, episodes per inner step (default 20).
  public var episodes: Int = 20
  /// γ (default 0.99).
  public var discount: Double = 0.99
  /// λ of GAE(λ) (default 1).
  public var gaeLambda: Double = 1
  /// Whether advantages are normalised per batch (default true).
  public var normalizeAdvantages: Bool = true
  /// Iterations N (default 500).
  public var iterations: Int = 500
  /// The seed every random stream derives from (default 0).
  public var seed: UInt64 = 0

  public init() {}

  func validate(_ operation: String) throws {
    try checkAdvantageSettings(discount: discount, lambda: gaeLambda, operation)
    try checkCounts(iterations: iterations, episodes: episodes, operation)
    guard innerLearningRate.isFinite, innerLearningRate > 0, outerStepSize.isFinite, outerStepSize > 0 else {
      throw RLError(.invalidArgument, operation, "step sizes must be finite and > 0, got \(innerLearningRate) and \(outerStepSize)")
    }
    guard innerSteps >= 1, innerSteps <= 10_000, metaBatchSize >= 1, metaBatchSize <= 1 << 16 else {
      throw RLError(.invalidArgument, operation, "need 1...10000 inner steps and 1...65536 tasks, got \(innerSteps) and \(metaBatchSize)")
    }
  }
}

/// Meta-trains θ by Reptile. Each iteration n:
///
/// 1. take the meta-batch Tᵢ = `metaBatch(n)`;
/// 2. for each task: W̃ᵢ = k inner REINFORCE steps from θ (SGD or Adam, rate α), step j sampling
///    with the current parameters from the streams `(seed, [n·k + j, i, e, ·])`;
/// 3. θ ← θ + ε ((1/n) Σᵢ W̃ᵢ − θ).
///
/// Records: `meanReturn` is the return of the first inner batch (with θ), `adaptedReturn` of
/// the last, `loss` the first inner loss, each averaged over tasks.
/// - Throws: `RLError` for an invalid configuration or an empty meta-batch, and any error of
///   `metaBatch`, sampling or the policy.
public func reptile<E: EpisodicEnvironment, P: StochasticPolicy>(
  policy: P, initialParameters: ParameterList, configuration: ReptileConfiguration = ReptileConfiguration(),
  resume: LearnerState? = nil, onIteration: IterationObserver? = nil,
  metaBatch: (Int) throws -> [E]) throws -> TrainingResult<ReptileConfiguration> {
  let c = configuration, op = "reptile"
  try c.validate(op)
  // The inner optimisers start afresh for every task: nothing but θ carries over.
  var unused = Adam()
  var (theta, firstIteration) = try LearnerState.start(op, initialParameters: initialParameters, resume: resume, adam: &unused)
  var records: [IterationRecord] = []
  for iteration in min(firstIteration, c.iterations)..<c.iterations {
    let start = ContinuousClock.now
    let envs = try metaBatch(iteration)
    guard !envs.isEmpty else { throw RLError(.invalidArgument, op, "the meta-batch of iteration \(iteration) is empty") }
    var sum = try learnerCall(op) { try theta.flattened() * 0 }
    var first = 0.0, last = 0.0, firstLoss = 0.0
    for (i, env) in envs.enumerated() {
      var w = theta
      var sgd = SGD(learningRate: c.innerLearningRate)
      var adam = Adam(learningRate: c.innerLearningRate)
      for j in 0..<c.innerSteps {
        let batch = try sampleBatch(env, policy: policy, parameters: w, episodes: c.episodes, seed: c.seed,
                                    iteration: iteration * c.innerSteps + j, taskIndex: i)
        let data = try PolicyGradientData(batch: batch, discount: c.discount, lambda: c.gaeLambda,
                                          normalize: c.normalizeAdvantages)
        let variables = w.variables()
        let loss = try reinforceLoss(policy, parameters: variables, data: data)
        if j == 0 { first += batch.meanReturn; firstLoss += loss.scalar ?? .nan }
        if j == c.innerSteps - 1 { last += batch.meanReturn }
        let g = try learnerCall(op) { try gradients(of: loss, wrt: variables.tensors) }
        w = try learnerCall(op) {
          switch c.innerOptimizer {
          case .sgd: return try sgd.step(w, gradients: g)
          case .adam: return try adam.step(w, gradients: g)
          }
        }
      }
      sum = try learnerCall(op) { try sum + w.flattened() }
    }
    let n = Double(envs.count)
    theta = try learnerCall(op) {
      let current = try theta.flattened()
      return try theta.unflattened(current + (sum / n - current) * c.outerStepSize).detached()
    }
    records.append(IterationRecord(iteration: iteration, meanReturn: first / n, adaptedReturn: last / n,
                                   loss: firstLoss / n, wallTime: seconds(since: start)))
    if let onIteration, let last = records.last,
       !onIteration(last, LearnerState(parameters: theta, iterationsDone: iteration + 1)) { break }
  }
  return TrainingResult(parameters: theta, records: records, configuration: c)
}
