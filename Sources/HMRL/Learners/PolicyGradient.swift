import HMTensor

/// REINFORCE / vanilla policy gradient (Williams 1992) with the linear feature baseline and
/// GAE(λ) (Schulman et al. 2016), as in pytorch-maml-rl's `reinforce_loss` (DESIGN.md §5).
/// Implementation notes: `docs/algorithms/maml.md`.

/// How an optimiser is chosen by name in a configuration.
public enum GradientOptimizerKind: String, Codable, Sendable, CaseIterable {
  /// Plain gradient descent θ ← θ − α g.
  case sgd
  /// Adam (Kingma & Ba 2015) with its default moments.
  case adam
}

/// The settings of ``vpg(policy:environment:initialParameters:configuration:)``. Every field has
/// a default and is recorded with the result.
public struct PolicyGradientConfiguration: Codable, Sendable, Equatable {
  /// γ, the discount of the returns and of GAE (default 0.99).
  public var discount: Double = 0.99
  /// λ of GAE(λ) (default 1: Monte-Carlo returns minus the baseline).
  public var gaeLambda: Double = 1
  /// Whether advantages are normalised per batch (default true).
  public var normalizeAdvantages: Bool = true
  /// α, the learning rate (default 0.1).
  public var learningRate: Double = 0.1
  /// The optimiser (default SGD).
  public var optimizer: GradientOptimizerKind = .sgd
  /// The number of iterations N (default 100).
  public var iterations: Int = 100
  /// B, the episodes sampled per iteration (default 20).
  public var episodes: Int = 20
  /// The seed every random stream derives from (default 0).
  public var seed: UInt64 = 0

  public init() {}

  /// - Throws: `RLError` (`.invalidArgument`) naming `operation` for a value outside its domain.
  func validate(_ operation: String) throws {
    try checkAdvantageSettings(discount: discount, lambda: gaeLambda, operation)
    guard learningRate.isFinite, learningRate > 0 else {
      throw RLError(.invalidArgument, operation, "learning rate must be finite and > 0, got \(learningRate)")
    }
    try checkCounts(iterations: iterations, episodes: episodes, operation)
  }
}

/// γ, λ ∈ [0, 1].
func checkAdvantageSettings(discount: Double, lambda: Double, _ operation: String) throws {
  guard discount >= 0, discount <= 1, lambda >= 0, lambda <= 1 else {
    throw RLError(.invalidArgument, operation, "discount \(discount) and GAE lambda \(lambda) must be in [0, 1]")
  }
}

/// 0 ≤ iterations ≤ 10⁷, 1 ≤ episodes ≤ 2²⁰.
func checkCounts(iterations: Int, episodes: Int, _ operation: String) throws {
  guard iterations >= 0, iterations <= 10_000_000 else {
    throw RLError(.invalidArgument, operation, "iterations must be in 0...10000000, got \(iterations)")
  }
  guard episodes >= 1, episodes <= 1 << 20 else {
    throw RLError(.invalidArgument, operation, "episodes must be in 1...\(1 << 20), got \(episodes)")
  }
}

/// A ``Batch`` prepared for a policy-gradient loss: its tensors, the (constant) advantages and
/// the per-step weights of pytorch-maml-rl's `weighted_mean` followed by the mean over episodes.
public struct PolicyGradientData {
  /// oₜ, `[B, T, observationSize]`.
  public let observations: Tensor
  /// aₜ, `[B, T, actionSize]`.
  public let actions: Tensor
  /// Âₜ, `[B, T]` (0 on padding), constant.
  public let advantages: Tensor
  /// wₜ = maskₜ / (length_b · B), `[B, T]`: Σ wₜ xₜ is the mean over episodes of each
  /// episode's mean over its real steps; padded steps weigh 0. Multiplied by the step weights
  /// when they are given.
  public let weights: Tensor
  /// log π_behaviour(aₜ | oₜ), `[B, T]`, constant (the "old" policy of a surrogate ratio).
  public let oldLogProbs: Tensor
  /// The batch's mean undiscounted return.
  public let meanReturn: Double
  /// A warning of the baseline fit (it fell back to zero), or nil.
  public let baselineWarning: String?

  /// Advantages and weights of `batch` (DESIGN.md §5: linear feature baseline, GAE(λ),
  /// normalisation per batch).
  /// - Parameters:
  ///   - stepWeights: optional constant multipliers of each step's weight wₜ, `[B, T]`, finite
  ///     and ≥ 0 (guided training's importance weights of off-policy steps; 1 on-policy). nil:
  ///     all ones.
  ///   - weighAdvantages: whether the step weights also weigh the steps in the baseline fit and
  ///     the advantage normalisation (default true: every estimate of the step uses the same
  ///     weights); false: only the loss.
  /// - Throws: `RLError` for γ or λ outside [0, 1], or step weights of the wrong size or sign.
  public init(batch: Batch, discount: Double = 0.99, lambda: Double = 1, normalize: Bool = true,
              stepWeights: [Double]? = nil, weighAdvantages: Bool = true) throws {
    let b = batch.episodeCount, t = batch.horizon, dtype = batch.rewards.dtype
    if let m = stepWeights {
      guard m.count == b * t, m.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
        throw RLError(.invalidArgument, "policyGradientData", "step weights must be \(b) × \(t) finite numbers >= 0, got \(m.count) numbers")
      }
    }
    let adv = try batch.advantages(discount: discount, lambda: lambda, normalize: normalize,
                                   stepWeights: weighAdvantages ? stepWeights : nil)
    let masks = batch.masks.toArray()
    var w = [Double](repeating: 0, count: b * t)
    for e in 0..<b where batch.lengths[e] > 0 {
      let scale = 1 / (Double(batch.lengths[e]) * Double(b))
      for s in 0..<t { w[e * t + s] = masks[e * t + s] * scale }
    }
    if let m = stepWeights { for i in 0..<w.count { w[i] *= m[i] } }
    observations = batch.observations.detached()
    actions = batch.actions.detached()
    advantages = try adv.advantageTensor(episodes: b, steps: t, dtype: dtype)
    weights = try Tensor(w, shape: [b, t], dtype: dtype)
    oldLogProbs = batch.logProbs.detached()
    meanReturn = batch.meanReturn
    baselineWarning = adv.baseline.warning
  }
}

/// The REINFORCE loss L(θ) = −Σ_{b,t} wₜ log π_θ(aₜ | oₜ) Âₜ, a scalar tensor differentiable
/// in `parameters` to any order (so MAML can differentiate its gradient again).
/// - Throws: `RLError` for parameters or data that do not fit the policy.
public func reinforceLoss<P: StochasticPolicy>(_ policy: P, parameters: ParameterList,
                                               data: PolicyGradientData) throws -> Tensor {
  let logp = try policy.logProb(data.observations, data.actions, parameters: parameters)
  return try learnerCall("reinforceLoss") { try -(logp * data.advantages * data.weights).sum() }
}

/// The importance-sampled surrogate L(θ) = −Σ wₜ exp(log π_θ(aₜ|oₜ) − log π_old(aₜ|oₜ)) Âₜ of
/// TRPO (Schulman et al. 2015, eq. 14); its gradient at θ = θ_old is the REINFORCE gradient.
/// - Throws: `RLError` for parameters or data that do not fit the policy.
public func surrogateLoss<P: StochasticPolicy>(_ policy: P, parameters: ParameterList,
                                               data: PolicyGradientData) throws -> Tensor {
  let logp = try policy.logProb(data.observations, data.actions, parameters: parameters)
  return try learnerCall("surrogateLoss") {
    let ratio = try (logp - data.oldLogProbs).exp()
    return try -(ratio * data.advantages * data.weights).sum()
  }
}

/// Converts a tensor error into an `RLError` naming `operation`.
func learnerCall<T>(_ operation: String, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let e as TensorError {
    throw RLError(.numerical, operation, e.message)
  }
}

/// The flat concatenation of gradients (constant or differentiable).
func flatten(_ tensors: [Tensor], _ operation: String) throws -> Tensor {
  try learnerCall(operation) { try Tensor.concat(tensors.map { $0.flattened() }, axis: 0) }
}

/// One line of a learner's log.
public struct IterationRecord: Codable, Sendable, Equatable {
  /// The iteration, from 0.
  public var iteration: Int
  /// The mean undiscounted return of the episodes sampled before the update (for MAML: with θ,
  /// before adaptation).
  public var meanReturn: Double
  /// For MAML: the mean return of the evaluation episodes sampled with the adapted θ′.
  public var adaptedReturn: Double?
  /// The loss at the sampled parameters (before the update).
  public var loss: Double
  /// The mean KL(π_old ‖ π_new) of the accepted step (natural-gradient learners).
  public var klDivergence: Double?
  /// The line-search steps tried (1 = the full step accepted; nil without a line search).
  public var lineSearchSteps: Int?
  /// Whether the step was accepted (false: the line search rejected every candidate).
  public var accepted: Bool = true
  /// Wall time of the iteration in seconds.
  public var wallTime: Double
}

/// What a learner returns: the learned parameters, the log and what produced them.
public struct TrainingResult<Configuration: Codable & Sendable> {
  /// The final parameters θ.
  public var parameters: ParameterList
  /// One record per iteration.
  public var records: [IterationRecord]
  /// The configuration (with its seed) that produced the run.
  public var configuration: Configuration
}

/// Seconds elapsed since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
  let d = ContinuousClock.now - start
  return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Trains a policy on one task by REINFORCE/VPG:
///
/// 1. sample B episodes with θ (streams `(seed, [iteration, 0, e, ·])`);
/// 2. fit the baseline, compute GAE advantages (normalised);
/// 3. g = ∇θ L(θ) of ``reinforceLoss(_:parameters:data:)``;
/// 4. θ ← optimiser step (SGD or Adam, rate α).
///
/// With `resume`, the run continues from that state (θ, iterations done, Adam's moments) up to
/// `configuration.iterations` in all, exactly as the uninterrupted run.
/// - Throws: `RLError` for an invalid configuration, a state that does not fit θ, and any error
///   of sampling or the policy.
public func vpg<E: EpisodicEnvironment, P: StochasticPolicy>(
  policy: P, environment: E, initialParameters: ParameterList,
  configuration: PolicyGradientConfiguration = PolicyGradientConfiguration(),
  resume: LearnerState? = nil, onIteration: IterationObserver? = nil) throws
  -> TrainingResult<PolicyGradientConfiguration> {
  let c = configuration
  try c.validate("vpg")
  var sgd = SGD(learningRate: c.learningRate)
  var adam = Adam(learningRate: c.learningRate)
  var (theta, first) = try LearnerState.start("vpg", initialParameters: initialParameters, resume: resume, adam: &adam)
  var records: [IterationRecord] = []
  for iteration in min(first, c.iterations)..<c.iterations {
    let start = ContinuousClock.now
    let batch = try sampleBatch(environment, policy: policy, parameters: theta, episodes: c.episodes,
                                seed: c.seed, iteration: iteration)
    let data = try PolicyGradientData(batch: batch, discount: c.discount, lambda: c.gaeLambda,
                                      normalize: c.normalizeAdvantages)
    let variables = theta.variables()
    let loss = try reinforceLoss(policy, parameters: variables, data: data)
    let g = try learnerCall("vpg") { try gradients(of: loss, wrt: variables.tensors) }
    theta = try learnerCall("vpg") {
      switch c.optimizer {
      case .sgd: return try sgd.step(theta, gradients: g)
      case .adam: return try adam.step(theta, gradients: g)
      }
    }
    records.append(IterationRecord(iteration: iteration, meanReturn: batch.meanReturn,
                                   loss: loss.scalar ?? .nan, wallTime: seconds(since: start)))
    if let onIteration, let last = records.last {
      let state = LearnerState(parameters: theta, iterationsDone: iteration + 1,
                               adam: c.optimizer == .adam ? try learnerCall("vpg") { try adam.state(shapedLike: theta) } : nil)
      if !onIteration(last, state) { break }
    }
  }
  return TrainingResult(parameters: theta, records: records, configuration: c)
}
