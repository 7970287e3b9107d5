#if canImport(Glibc)
import Glibc
#endif
import HMTensor

/// Natural policy gradient (Kakade 2001) and trust-region policy optimisation (Schulman et al.
/// 2015): conjugate gradient on Fisher-vector products, the step scaled to the KL bound δ and,
/// for TRPO, a backtracking line search. Implementation notes: `docs/algorithms/trpo.md`.

/// A policy whose KL divergence between two parameter lists has a closed form.
public protocol KLDivergencePolicy: StochasticPolicy {
  /// KL(π_old(·|o) ‖ π_new(·|o)) in nats for each observation, `[...]` for observations
  /// `[..., observationSize]`, differentiable in both lists (to any order).
  func klDivergence(_ observations: Tensor, from old: ParameterList, to new: ParameterList) throws -> Tensor
}

/// KL between categoricals given logits `[N, A]`: Σ_a p_old (log p_old − log p_new), `[N]`.
func categoricalKL(_ oldLogits: Tensor, _ newLogits: Tensor) throws -> Tensor {
  let lp = try oldLogits.logSoftmax(axis: -1), lq = try newLogits.logSoftmax(axis: -1)
  return try (lp.exp() * (lp - lq)).sum(axis: -1)
}

extension TabularSoftmaxPolicy: KLDivergencePolicy {
  public func klDivergence(_ observations: Tensor, from old: ParameterList, to new: ParameterList) throws -> Tensor {
    let op = "tabularSoftmaxPolicy.klDivergence"
    let (p, lead) = try logits(observations, old, op)
    let (q, _) = try logits(observations, new, op)
    return try policyCall(op) { try categoricalKL(p, q).reshaped(lead) }
  }
}

extension CategoricalMLPPolicy: KLDivergencePolicy {
  public func klDivergence(_ observations: Tensor, from old: ParameterList, to new: ParameterList) throws -> Tensor {
    let op = "categoricalMLPPolicy.klDivergence"
    let (p, lead) = try logits(observations, old, op)
    let (q, _) = try logits(observations, new, op)
    return try policyCall(op) { try categoricalKL(p, q).reshaped(lead) }
  }
}

extension GaussianMLPPolicy: KLDivergencePolicy {
  /// Σ_d [log σ₁ − log σ₀ + (σ₀² + (μ₀ − μ₁)²) / (2σ₁²) − ½] for diagonal Gaussians.
  public func klDivergence(_ observations: Tensor, from old: ParameterList, to new: ParameterList) throws -> Tensor {
    let op = "gaussianMLPPolicy.klDivergence"
    let p = try distribution(observations, old, op)
    let q = try distribution(observations, new, op)
    return try policyCall(op) {
      let varianceRatio = try ((p.logStd - q.logStd) * 2).exp()
      let z = try (p.mean - q.mean) * (-q.logStd).exp()
      let perDim = try (q.logStd - p.logStd) + (varianceRatio + z * z - 1) * 0.5
      return try perDim.sum(axis: -1).reshaped(p.lead)
    }
  }
}

/// The mean KL over a batch's real steps, Σ wₜ KL(π_old(·|oₜ) ‖ π_new(·|oₜ)) (weights of
/// ``PolicyGradientData``), a scalar tensor.
/// - Throws: `RLError` for parameters that do not fit the policy.
public func meanKL<P: KLDivergencePolicy>(_ policy: P, from old: ParameterList, to new: ParameterList,
                                          data: PolicyGradientData) throws -> Tensor {
  let kl = try policy.klDivergence(data.observations, from: old, to: new)
  return try learnerCall("meanKL") { try (kl * data.weights).sum() }
}

/// The damped Fisher matrix F + β I at θ as an operator on flat vectors, by double
/// backpropagation: with the mean KL D(θ) = `kl(θ)` whose old policy is held fixed at the
/// current θ, F v = ∇θ (∇θ D · v).
///
/// The KL and its differentiable gradient ∇θ D are built once at initialisation; each product is
/// then one backward pass through that graph (as pytorch-maml-rl's `hessian_vector_product`),
/// so conjugate gradient's ten products do not recompute the KL (for MAML: the adaptation).
public struct FisherOperator {
  /// θ as variables.
  let theta: ParameterList
  /// ∇θ D, flat, with its graph.
  let klGradient: Tensor
  /// β ≥ 0 (TRPO in pytorch-maml-rl: 1e-5).
  public let damping: Double

  /// - Parameters:
  ///   - parameters: θ (used as fresh variables).
  ///   - damping: β ≥ 0.
  ///   - kl: θ ↦ D(θ), evaluated on variables; for MAML it adapts θ first (createGraph) so the
  ///     product goes through the adaptation step.
  /// - Throws: `RLError` for a non-differentiable `kl` or a negative damping.
  public init(at parameters: ParameterList, damping: Double, kl: (ParameterList) throws -> Tensor) throws {
    let op = "fisherVectorProduct"
    guard damping.isFinite, damping >= 0 else {
      throw RLError(.invalidArgument, op, "damping must be finite and >= 0, got \(damping)")
    }
    theta = parameters.detached().variables()
    let d = try kl(theta)
    let variables = theta
    klGradient = try learnerCall(op) { try flatten(try gradients(of: d, wrt: variables.tensors, createGraph: true), op) }
    self.damping = damping
  }

  /// (F + β I) v for a flat `vector` `[scalarCount]`, a constant.
  /// - Throws: `RLError` (`.shapeMismatch`) for a vector of the wrong shape.
  public func callAsFunction(_ vector: Tensor) throws -> Tensor {
    let op = "fisherVectorProduct"
    guard vector.shape == klGradient.shape else {
      throw RLError(.shapeMismatch, op, "vector has shape \(vector.shape), expected \(klGradient.shape)")
    }
    return try learnerCall(op) {
      let gv = try (klGradient * vector.detached()).sum()
      let hv = try flatten(try gradients(of: gv, wrt: theta.tensors), op)
      return try (hv + vector.detached() * damping).detached()
    }
  }
}

/// One damped Fisher-vector product (F + β I) v (see ``FisherOperator``).
/// - Returns: a constant flat vector.
/// - Throws: `RLError` for mismatched shapes or a non-differentiable `kl`.
public func fisherVectorProduct(at parameters: ParameterList, vector: Tensor, damping: Double,
                                kl: (ParameterList) throws -> Tensor) throws -> Tensor {
  guard vector.shape == [parameters.scalarCount] else {
    throw RLError(.shapeMismatch, "fisherVectorProduct", "vector has shape \(vector.shape), expected [\(parameters.scalarCount)]")
  }
  return try FisherOperator(at: parameters, damping: damping, kl: kl)(vector)
}

/// The settings of ``npg(policy:environment:initialParameters:configuration:)`` and
/// ``trpo(policy:environment:initialParameters:configuration:)``, and of MAML's TRPO outer step.
public struct NaturalGradientConfiguration: Codable, Sendable, Equatable {
  /// γ (default 0.99).
  public var discount: Double = 0.99
  /// λ of GAE(λ) (default 1).
  public var gaeLambda: Double = 1
  /// Whether advantages are normalised per batch (default true).
  public var normalizeAdvantages: Bool = true
  /// δ, the KL bound of a step in nats (default 0.01).
  public var maxKL: Double = 0.01
  /// β, the damping added to the Fisher matrix (default 1e-5).
  public var damping: Double = 1e-5
  /// Conjugate-gradient iterations (default 10).
  public var conjugateGradientIterations: Int = 10
  /// The backtracking ratio of the line search (default 0.8).
  public var lineSearchRatio: Double = 0.8
  /// The most step sizes the line search tries (default 15).
  public var lineSearchSteps: Int = 15
  /// The number of iterations N (default 100).
  public var iterations: Int = 100
  /// B, the episodes sampled per iteration (default 20).
  public var episodes: Int = 20
  /// The seed every random stream derives from (default 0).
  public var seed: UInt64 = 0
  /// Single-task NPG/TRPO: use the closed-form Fisher-vector product when the policy has one
  /// (``AnalyticFisherPolicy``: the tabular softmax), else double backpropagation (default true;
  /// MAML's outer step always differentiates through the adaptation).
  public var analyticFisher: Bool = true

  public init() {}

  func validate(_ operation: String) throws {
    try checkAdvantageSettings(discount: discount, lambda: gaeLambda, operation)
    guard maxKL.isFinite, maxKL > 0, damping.isFinite, damping >= 0 else {
      throw RLError(.invalidArgument, operation, "max KL must be > 0 and damping >= 0, got \(maxKL) and \(damping)")
    }
    guard conjugateGradientIterations >= 1, conjugateGradientIterations <= 10_000 else {
      throw RLError(.invalidArgument, operation, "conjugate-gradient iterations must be in 1...10000, got \(conjugateGradientIterations)")
    }
    guard lineSearchRatio > 0, lineSearchRatio < 1, lineSearchSteps >= 1, lineSearchSteps <= 1000 else {
      throw RLError(.invalidArgument, operation, "line search needs a ratio in (0, 1) and 1...1000 steps, got \(lineSearchRatio) and \(lineSearchSteps)")
    }
    try checkCounts(iterations: iterations, episodes: episodes, operation)
  }
}

/// The outcome of one natural-gradient step.
public struct TrustRegionStep {
  /// The new parameters (θ itself when the line search rejected every candidate).
  public var parameters: ParameterList
  /// The loss L(θ) before the step.
  public var loss: Double
  /// The mean KL of the accepted step (0 when rejected).
  public var klDivergence: Double
  /// The candidates tried (nil without a line search).
  public var lineSearchSteps: Int?
  /// Whether a step was taken.
  public var accepted: Bool
}

/// One natural-gradient step on θ:
///
/// 1. g = ∇θ L(θ);
/// 2. s ≈ F⁻¹ g by conjugate gradient on damped Fisher-vector products;
/// 3. the full step Δ = −√(2δ / sᵀF s) · s (the quadratic model's KL equals δ);
/// 4. NPG: θ + Δ. TRPO: θ + ρᵏ Δ for the first k < K with L(θ + ρᵏΔ) < L(θ) and
///    KL ≤ δ (`candidate`'s values), else θ unchanged.
///
/// - Parameters:
///   - loss: θ ↦ L(θ) on variables (differentiable).
///   - kl: θ ↦ D(θ), the mean KL from the policy at the current θ (held fixed), differentiable.
///   - candidate: θ′ ↦ (L(θ′), D(θ′)) as numbers, for the line search (no graph needed).
///   - lineSearch: false for NPG.
///   - fisherProduct: v ↦ F v in closed form (``AnalyticFisherPolicy``), used instead of double
///     backpropagation of `kl` when given (the damping is added here).
/// - Throws: `RLError` for non-finite quantities or a failed conjugate gradient.
public func trustRegionStep(parameters: ParameterList, configuration c: NaturalGradientConfiguration,
                            lineSearch: Bool, loss: (ParameterList) throws -> Tensor,
                            kl: (ParameterList) throws -> Tensor,
                            candidate: (ParameterList) throws -> (loss: Double, kl: Double),
                            fisherProduct: ((Tensor) throws -> Tensor)? = nil) throws -> TrustRegionStep {
  let op = lineSearch ? "trpo" : "npg"
  let theta = parameters.detached().variables()
  let l = try loss(theta)
  let lossValue = l.scalar ?? .nan
  let g = try learnerCall(op) { try flatten(try gradients(of: l, wrt: theta.tensors), op) }
  guard g.toArray().allSatisfy(\.isFinite) else {
    throw RLError(.numerical, op, "the policy gradient is not finite")
  }
  if g.toArray().allSatisfy({ $0 == 0 }) {
    return TrustRegionStep(parameters: parameters.detached(), loss: lossValue, klDivergence: 0,
                           lineSearchSteps: lineSearch ? 0 : nil, accepted: false)
  }
  let fvp: (Tensor) throws -> Tensor
  if let fisherProduct {
    fvp = { v in try learnerCall(op) { try fisherProduct(v) + v.detached() * c.damping } }
  } else {
    let operator_ = try FisherOperator(at: parameters, damping: c.damping, kl: kl)
    fvp = { try operator_($0) }
  }
  let s = try learnerCall(op) { try conjugateGradient({ try fvp($0) }, b: g, iterations: c.conjugateGradientIterations) }
  let sFs = try learnerCall(op) { try (s * fvp(s)).sum().item() }
  guard sFs.isFinite else {
    throw RLError(.numerical, op, "the Fisher quadratic form sᵀFs = \(sFs) is not finite")
  }
  // NOTE: a gradient so small that sᵀFs rounds to 0 (float32: a batch without any reward, whose
  // normalised advantages are rounding noise) has no direction worth a step: keep θ.
  if sFs <= 0 {
    return TrustRegionStep(parameters: parameters.detached(), loss: lossValue, klDivergence: 0,
                           lineSearchSteps: lineSearch ? 0 : nil, accepted: false)
  }
  let scale = (2 * c.maxKL / sFs).squareRoot()
  let fullStep = s * -scale
  let base = try learnerCall(op) { try parameters.detached().flattened() }
  func moved(_ fraction: Double) throws -> ParameterList {
    try learnerCall(op) { try parameters.unflattened(try base + fullStep * fraction).detached() }
  }
  if !lineSearch {
    let next = try moved(1)
    let (_, d) = try candidate(next)
    return TrustRegionStep(parameters: next, loss: lossValue, klDivergence: d, lineSearchSteps: nil, accepted: true)
  }
  var fraction = 1.0
  for k in 0..<c.lineSearchSteps {
    let next = try moved(fraction)
    let (newLoss, d) = try candidate(next)
    if newLoss < lossValue, d <= c.maxKL, newLoss.isFinite, d.isFinite {
      return TrustRegionStep(parameters: next, loss: lossValue, klDivergence: d, lineSearchSteps: k + 1, accepted: true)
    }
    fraction *= c.lineSearchRatio
  }
  return TrustRegionStep(parameters: parameters.detached(), loss: lossValue, klDivergence: 0,
                         lineSearchSteps: c.lineSearchSteps, accepted: false)
}

/// Trains a policy on one task by the natural policy gradient: each iteration samples B
/// episodes with θ, computes GAE advantages and takes the step of
/// ``trustRegionStep(parameters:configuration:lineSearch:loss:kl:candidate:)`` without a line search.
/// - Throws: `RLError` for an invalid configuration, sampling or numerical failures.
public func npg<E: EpisodicEnvironment, P: KLDivergencePolicy>(
  policy: P, environment: E, initialParameters: ParameterList,
  configuration: NaturalGradientConfiguration = NaturalGradientConfiguration(),
  resume: LearnerState? = nil, onIteration: IterationObserver? = nil) throws
  -> TrainingResult<NaturalGradientConfiguration> {
  try naturalGradientTraining(policy: policy, environment: environment, initialParameters: initialParameters,
                              configuration: configuration, lineSearch: false, resume: resume, onIteration: onIteration)
}

/// TRPO on one task: as ``npg(policy:environment:initialParameters:configuration:)`` with the
/// importance-sampled surrogate and the backtracking line search.
/// - Throws: `RLError` for an invalid configuration, sampling or numerical failures.
public func trpo<E: EpisodicEnvironment, P: KLDivergencePolicy>(
  policy: P, environment: E, initialParameters: ParameterList,
  configuration: NaturalGradientConfiguration = NaturalGradientConfiguration(),
  resume: LearnerState? = nil, onIteration: IterationObserver? = nil) throws
  -> TrainingResult<NaturalGradientConfiguration> {
  try naturalGradientTraining(policy: policy, environment: environment, initialParameters: initialParameters,
                              configuration: configuration, lineSearch: true, resume: resume, onIteration: onIteration)
}

func naturalGradientTraining<E: EpisodicEnvironment, P: KLDivergencePolicy>(
  policy: P, environment: E, initialParameters: ParameterList,
  configuration c: NaturalGradientConfiguration, lineSearch: Bool, resume: LearnerState? = nil,
  onIteration: IterationObserver? = nil) throws
  -> TrainingResult<NaturalGradientConfiguration> {
  let op = lineSearch ? "trpo" : "npg"
  try c.validate(op)
  var unused = Adam()
  var (theta, first) = try LearnerState.start(op, initialParameters: initialParameters, resume: resume, adam: &unused)
  var records: [IterationRecord] = []
  for iteration in min(first, c.iterations)..<c.iterations {
    let start = ContinuousClock.now
    let batch = try sampleBatch(environment, policy: policy, parameters: theta, episodes: c.episodes,
                                seed: c.seed, iteration: iteration)
    let data = try PolicyGradientData(batch: batch, discount: c.discount, lambda: c.gaeLambda,
                                      normalize: c.normalizeAdvantages)
    let old = theta
    let step = try trustRegionStep(
      parameters: theta, configuration: c, lineSearch: lineSearch,
      loss: { try surrogateLoss(policy, parameters: $0, data: data) },
      kl: { try meanKL(policy, from: old, to: $0, data: data) },
      candidate: { p in
        try learnerCall("trpo") {
          (try surrogateLoss(policy, parameters: p, data: data).item(),
           try meanKL(policy, from: old, to: p, data: data).item())
        }
      },
      fisherProduct: c.analyticFisher ? try analyticFisherProduct(policy, parameters: old, data: data) : nil)
    theta = step.parameters
    records.append(IterationRecord(iteration: iteration, meanReturn: batch.meanReturn, loss: step.loss,
                                   klDivergence: step.klDivergence, lineSearchSteps: step.lineSearchSteps,
                                   accepted: step.accepted, wallTime: seconds(since: start)))
    if let onIteration, let last = records.last,
       !onIteration(last, LearnerState(parameters: theta, iterationsDone: iteration + 1)) { break }
  }
  return TrainingResult(parameters: theta, records: records, configuration: c)
}

/// The closed-form Fisher-vector product of `policy` on `data` at θ, when it has one.
func analyticFisherProduct<P: KLDivergencePolicy>(_ policy: P, parameters: ParameterList,
                                                   data: PolicyGradientData) throws -> ((Tensor) throws -> Tensor)? {
  guard let analytic = policy as? any AnalyticFisherPolicy else { return nil }
  return try analytic.fisherOperator(data.observations, weights: data.weights, parameters: parameters)
}
