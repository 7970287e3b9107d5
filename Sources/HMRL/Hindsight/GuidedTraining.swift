import HMTensor

/// Guided training (the note's §II, last paragraph; DESIGN.md §4): after meta-learning we have θ
/// and the buffer R. On a new task T, "we sample k trajectories from R along with their
/// corresponding tasks, filtered to be trajectories whose corresponding tasks are determined to be
/// similar by f_φ. These datapoints can then be used alongside traditional exploration methods
/// using importance sampling, and gradient descent can be run as usual."
///
/// Here: every policy-gradient step mixes B on-policy episodes with k buffer trajectories whose
/// rewards are recomputed under T (hindsight relabelling, ``HindsightRelabelling``) and whose
/// steps carry truncated, self-normalised per-decision importance weights
/// (``ImportanceWeights``). The same routine runs the baselines an experiment compares against.

/// Which buffer trajectories guide training.
public enum GuidanceMode: String, Codable, Sendable, CaseIterable {
  /// No buffer: plain REINFORCE/VPG, identical to ``vpg(policy:environment:initialParameters:configuration:onIteration:)``.
  case none
  /// Every buffer entry, whatever its task.
  case unfiltered
  /// Entries whose task the Siamese net f_φ(Tᵢ, T) judges similar (the note's proposal).
  case siamese
  /// Entries whose task is similar by the true policy divergence (an upper reference for f_φ).
  case oracle
}

/// How buffer steps are weighed against the on-policy ones.
public enum ImportanceWeighting: String, Codable, Sendable, CaseIterable {
  /// wₜ = (Π_{u<t} c_u)·ρₜ: per-decision importance weights, truncated (the note's importance
  /// sampling; V-trace's truncation).
  case perDecision = "per_decision"
  /// wₜ = ρₜ = min(ρ̄, π_θ/π_behaviour) of the step alone: biased, but it does not vanish along
  /// a trajectory when π_θ is far from the behaviour policy.
  case perStep = "per_step"
  /// wₜ = 1: buffer steps count as on-policy ones (no correction; the ablation).
  case none
}

/// How the similar tasks' entries are picked from their scores.
public enum BufferSelection: Codable, Sendable, Equatable {
  /// The k entries with the highest scores (ties: the more recent first).
  case topK(Int)
  /// Every entry whose score is ≥ this (f_φ's output is a probability: 0.5 is its decision rule).
  case threshold(Double)

  // Encoded as {"top_k": k} or {"threshold": x}, as the results files show it.
  private enum CodingKeys: String, CodingKey { case topK = "top_k", threshold }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    if let k = try c.decodeIfPresent(Int.self, forKey: .topK) { self = .topK(k); return }
    self = .threshold(try c.decode(Double.self, forKey: .threshold))
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .topK(let k): try c.encode(k, forKey: .topK)
    case .threshold(let x): try c.encode(x, forKey: .threshold)
    }
  }
}

/// The settings of ``guidedTrain(policy:environment:initialParameters:buffer:score:configuration:onIteration:)``.
/// Every field has a default and is recorded with the result.
public struct GuidedTrainingConfiguration: Codable, Sendable, Equatable {
  /// Which buffer trajectories guide training (default `.siamese`).
  public var mode: GuidanceMode = .siamese
  /// k, the buffer trajectories mixed into each step, drawn with replacement (default 10).
  public var bufferTrajectories: Int = 10
  /// How `.siamese` and `.oracle` pick entries by score (default: the 50 best).
  public var selection: BufferSelection = .topK(50)
  /// Whether buffer rewards are recomputed under T (default true); false keeps the rewards of
  /// the task each trajectory was sampled on (the ablation).
  public var relabel: Bool = true
  /// How buffer steps are weighted (default `.perDecision`, the note's importance sampling).
  public var weighting: ImportanceWeighting = .perDecision
  /// Whether the baseline fit and the advantage normalisation weigh the steps as the loss does
  /// (default true); false: every buffer step counts fully in them, whatever its weight in the
  /// loss (this library's behaviour before 2026-12).
  public var weighAdvantages: Bool = true
  /// ρ̄, the cap of a step's own importance ratio (default 1; `.infinity`: no cap).
  public var rhoBar: Double = 1
  /// c̄, the cap of the ratios of the steps before it (default 1; `.infinity`: no cap).
  public var cBar: Double = 1
  /// Whether the weights are self-normalised over the step's whole sample: buffer steps (wₜ) and
  /// on-policy steps (ratio 1) all divided by their mean (default true;
  /// ``ImportanceWeights/selfNormalized(alongside:)``).
  public var selfNormalize: Bool = true
  /// N, the number of gradient steps (default 50).
  public var iterations: Int = 50
  /// B, the on-policy episodes sampled per step (default 10).
  public var episodes: Int = 10
  /// α, the learning rate (default 0.1).
  public var learningRate: Double = 0.1
  /// The optimiser (default SGD).
  public var optimizer: GradientOptimizerKind = .sgd
  /// The largest global L2 norm of a step's gradient: larger ones are scaled down to it
  /// (PyTorch's `clip_grad_norm_`). nil (the default): no clipping. Unweighted buffer steps whose
  /// actions a new policy finds nearly impossible have enormous score gradients: without a
  /// clip they drove a Gaussian policy to NaN on 2D navigation.
  public var maxGradientNorm: Double? = nil
  /// γ, the discount of the returns and of GAE (default 0.99).
  public var discount: Double = 0.99
  /// λ of GAE(λ) (default 1).
  public var gaeLambda: Double = 1
  /// Whether advantages are normalised over the step's episodes, on- and off-policy (default true).
  public var normalizeAdvantages: Bool = true
  /// An on-policy episode succeeds when its undiscounted return is ≥ this; nil (the default):
  /// when it ended by the task's termination rule (reached the goal).
  public var successReturn: Double? = nil
  /// The seed every random stream derives from (default 0).
  public var seed: UInt64 = 0

  public init() {}

  /// The on-policy settings as a VPG configuration (what `.none` runs).
  public var policyGradientConfiguration: PolicyGradientConfiguration {
    var c = PolicyGradientConfiguration()
    c.discount = discount
    c.gaeLambda = gaeLambda
    c.normalizeAdvantages = normalizeAdvantages
    c.learningRate = learningRate
    c.optimizer = optimizer
    c.iterations = iterations
    c.episodes = episodes
    c.seed = seed
    return c
  }

  /// - Throws: `RLError` (`.invalidArgument`) naming `operation` for a value outside its domain.
  func validate(_ operation: String) throws {
    try policyGradientConfiguration.validate(operation)
    guard bufferTrajectories >= 0, bufferTrajectories <= 1 << 20 else {
      throw RLError(.invalidArgument, operation, "bufferTrajectories must be in 0...\(1 << 20), got \(bufferTrajectories)")
    }
    switch selection {
    case .topK(let k) where k < 0:
      throw RLError(.invalidArgument, operation, "selection topK must be >= 0, got \(k)")
    case .threshold(let x) where x.isNaN:
      throw RLError(.invalidArgument, operation, "selection threshold is NaN")
    default: break
    }
    guard rhoBar > 0, cBar > 0 else {
      throw RLError(.invalidArgument, operation, "rhoBar \(rhoBar) and cBar \(cBar) must be > 0 (infinity: no cap)")
    }
    if let m = maxGradientNorm, !(m > 0) {
      throw RLError(.invalidArgument, operation, "maxGradientNorm must be > 0, got \(m)")
    }
    if let r = successReturn, !r.isFinite {
      throw RLError(.invalidArgument, operation, "successReturn must be finite, got \(r)")
    }
  }
}

/// One line of the guided-training log.
public struct GuidedIterationRecord: Codable, Sendable, Equatable {
  /// The iteration, from 0.
  public var iteration: Int
  /// The mean undiscounted return of the on-policy episodes (sampled before the update).
  public var meanReturn: Double
  /// How many of the on-policy episodes succeeded (``GuidedTrainingConfiguration/successReturn``).
  public var successes: Int
  /// On-policy episodes sampled so far, this iteration's included.
  public var episodesSoFar: Int
  /// Buffer trajectories in the loss (0 when the pool is empty or in mode `.none`).
  public var bufferTrajectories: Int
  /// The ESS of the buffer steps' importance weights (nil without buffer trajectories).
  public var effectiveSampleSize: Double?
  /// Their mean importance weight before self-normalisation (nil without buffer trajectories).
  public var meanImportanceWeight: Double?
  /// The mean undiscounted return of the buffer trajectories as they entered the loss (relabelled
  /// under T when relabelling is on): how much reward on T the guidance carries (nil without
  /// buffer trajectories).
  public var bufferReturn: Double? = nil
  /// The loss at the sampled parameters (before the update).
  public var loss: Double
  /// The global L2 norm of the step's gradient, before any clipping.
  public var gradientNorm: Double = .nan
  /// Wall time of the iteration in seconds.
  public var wallTime: Double
}

/// What guided training returns.
public struct GuidedTrainingResult {
  /// The final parameters θ.
  public var parameters: ParameterList
  /// One record per iteration.
  public var records: [GuidedIterationRecord]
  /// The configuration (with its seed) that produced the run.
  public var configuration: GuidedTrainingConfiguration
  /// The number of on-policy episodes sampled up to and including the first successful one
  /// (episodes count in sampling order: iteration by iteration, episode index within); nil if
  /// none succeeded.
  public var firstSuccessEpisode: Int?
  /// The number of buffer entries the trajectories were drawn from (step 1).
  public var poolSize: Int
}

/// Trains π_θ on task T from `initialParameters`, guided by buffer trajectories of similar tasks:
///
/// 1. build the candidate pool once: `.none` → empty; `.unfiltered` → every entry; `.siamese`
///    and `.oracle` → the entries whose `score` passes ``GuidedTrainingConfiguration/selection``;
/// 2. each iteration: sample B on-policy episodes with θ (streams `(seed, [iteration, 0, e, ·])`,
///    as `vpg`); draw k entries uniformly *with replacement* from the pool with the stream
///    `(seed, [iteration, 2³² + 1])` (so k is exact however small the pool is, and the draw does
///    not depend on B); relabel them under T when ``GuidedTrainingConfiguration/relabel`` is on;
/// 3. log π_θ of their steps (one batched call, no graph) → importance weights
///    (``GuidedTrainingConfiguration/weighting``: per-decision, per-step or none), truncated by
///    ρ̄, c̄ (``ImportanceWeights``) → self-normalised together with the on-policy steps
///    (ratio 1) → ESS;
/// 4. one gradient step on the REINFORCE loss of the B + k episodes together: the linear feature
///    baseline is fitted, GAE computed and advantages normalised over all of them (padded to the
///    longest of T's horizon and the buffer trajectories), every step weighing in the fit and the
///    normalisation as it does in the loss (``GuidedTrainingConfiguration/weighAdvantages``); each
///    episode weighs 1/(B + k), spread over its steps as in `vpg`, and a buffer step's weight is
///    further multiplied by its (constant) importance weight;
/// 5. record; the observer returning false stops the run (Ctrl-C).
///
/// With an empty pool (mode `.none`, or no entry passing the selection), step 4 is exactly
/// ``vpg(policy:environment:initialParameters:configuration:onIteration:)`` with
/// ``GuidedTrainingConfiguration/policyGradientConfiguration``: the same θ, bit for bit.
///
/// - Parameters:
///   - score: the similarity of an entry's task to T, higher is more similar (f_φ(Tᵢ, T) for
///     `.siamese`; e.g. −P(π_θ′ᵢ, π_θ′_T) or exp(−P) for `.oracle`: the caller supplies it).
///     Required for `.siamese` and `.oracle`, ignored otherwise; NaN scores are never selected.
/// - Throws: `RLError` naming `guidedTrain` for an invalid configuration, a missing score, a pool
///   entry whose sizes do not fit the policy or that has no steps; any error of sampling,
///   relabelling, the policy or the score.
/// - Complexity: per iteration, one sampled batch, one policy evaluation of the k buffer
///   trajectories and one gradient of the combined loss.
public func guidedTrain<E: EpisodicEnvironment & HindsightRelabelling, P: StochasticPolicy>(
  policy: P, environment: E, initialParameters: ParameterList, buffer: TrajectoryBuffer,
  score: ((TrajectoryBuffer.Entry) throws -> Double)?,
  configuration: GuidedTrainingConfiguration = GuidedTrainingConfiguration(),
  onIteration: ((GuidedIterationRecord, ParameterList) -> Bool)? = nil) throws -> GuidedTrainingResult {
  let op = "guidedTrain"
  let c = configuration
  try c.validate(op)

  // 1. The candidate pool.
  let pool: [TrajectoryBuffer.Entry]
  switch c.mode {
  case .none:
    pool = []
  case .unfiltered:
    pool = buffer.entries
  case .siamese, .oracle:
    guard let score else {
      throw RLError(.invalidArgument, op, "mode \(c.mode.rawValue) needs a score (the similarity of an entry's task to this task)")
    }
    switch c.selection {
    case .topK(let k):
      pool = try buffer.ranked(k, by: score)
    case .threshold(let x):
      pool = try buffer.entries.filter { try score($0) >= x }
    }
  }
  for entry in pool {
    let t = entry.trajectory
    guard t.observationSize == policy.observationSize, t.actionSize == policy.actionSize else {
      throw RLError(.shapeMismatch, op, "buffer entry \(entry.sequence) (task \(entry.taskIndex)) has observations of \(t.observationSize) numbers and actions of \(t.actionSize), the policy takes \(policy.observationSize) and \(policy.actionSize)")
    }
    guard t.length > 0 else {
      throw RLError(.invalidArgument, op, "buffer entry \(entry.sequence) (task \(entry.taskIndex)) has no steps")
    }
  }

  var theta = initialParameters.detached()
  var sgd = SGD(learningRate: c.learningRate)
  var adam = Adam(learningRate: c.learningRate)
  var records: [GuidedIterationRecord] = []
  var firstSuccess: Int?
  let k = pool.isEmpty ? 0 : c.bufferTrajectories
  for iteration in 0..<c.iterations {
    let start = ContinuousClock.now

    // 2. On-policy episodes, and k buffer trajectories relabelled under T.
    let batch = try sampleBatch(environment, policy: policy, parameters: theta, episodes: c.episodes,
                                seed: c.seed, iteration: iteration)
    var rng = RandomStream(seed: c.seed, stream: [UInt64(iteration), (1 << 32) + 1])
    var guides = [Trajectory]()
    guides.reserveCapacity(k)
    for _ in 0..<k {
      let stored = pool[Int.random(in: 0..<pool.count, using: &rng)].trajectory
      guides.append(c.relabel ? try environment.relabel(stored) : stored)
    }

    // 3. Importance weights of the buffer steps.
    var stepWeights: [Double]?
    var ess: Double?, meanWeight: Double?
    var data: PolicyGradientData
    if guides.isEmpty {
      data = try PolicyGradientData(batch: batch, discount: c.discount, lambda: c.gaeLambda,
                                    normalize: c.normalizeAdvantages)
    } else {
      let behaviour = guides.map(\.logProbs)
      // With no weighting, "current" = behaviour: every log ratio is 0 and every weight 1.
      let current = c.weighting == .none ? behaviour
        : try currentLogProbs(of: guides, policy: policy, parameters: theta, dtype: batch.rewards.dtype)
      let iw = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour,
                                     rhoBar: c.rhoBar, cBar: c.cBar, perDecision: c.weighting == .perDecision)
      let (w, onPolicyWeight) = c.selfNormalize ? iw.selfNormalized(alongside: batch.lengths.reduce(0, +)) : (iw.weights, 1)
      ess = iw.effectiveSampleSize
      meanWeight = iw.meanWeight
      // 4. The combined B + k episodes.
      let combined = try appending(guides, to: batch)
      var multipliers = [Double](repeating: onPolicyWeight, count: combined.episodeCount * combined.horizon)
      for (j, weights) in w.enumerated() {
        let row = (batch.episodeCount + j) * combined.horizon
        for (t, x) in weights.enumerated() {
          guard x.isFinite else {
            throw RLError(.numerical, op, "the importance weight of step \(t) of buffer trajectory \(j) overflowed (untruncated weights need selfNormalize)")
          }
          multipliers[row + t] = x
        }
      }
      stepWeights = multipliers
      data = try PolicyGradientData(batch: combined, discount: c.discount, lambda: c.gaeLambda,
                                    normalize: c.normalizeAdvantages, stepWeights: stepWeights,
                                    weighAdvantages: c.weighAdvantages)
    }
    let variables = theta.variables()
    let loss = try reinforceLoss(policy, parameters: variables, data: data)
    let (g, gradientNorm) = try learnerCall(op) {
      try clipGradientNorm(try gradients(of: loss, wrt: variables.tensors), maxNorm: c.maxGradientNorm ?? .infinity)
    }
    theta = try learnerCall(op) {
      switch c.optimizer {
      case .sgd: return try sgd.step(theta, gradients: g)
      case .adam: return try adam.step(theta, gradients: g)
      }
    }

    // 5. Record.
    let returns = batch.undiscountedReturns
    var successes = 0
    for e in 0..<batch.episodeCount {
      let success = c.successReturn.map { returns[e] >= $0 } ?? batch.terminated[e]
      guard success else { continue }
      successes += 1
      if firstSuccess == nil { firstSuccess = iteration * c.episodes + e + 1 }
    }
    records.append(GuidedIterationRecord(
      iteration: iteration, meanReturn: batch.meanReturn, successes: successes,
      episodesSoFar: (iteration + 1) * c.episodes, bufferTrajectories: guides.count,
      effectiveSampleSize: ess, meanImportanceWeight: meanWeight,
      bufferReturn: guides.isEmpty ? nil : guides.map(\.undiscountedReturn).reduce(0, +) / Double(guides.count),
      loss: loss.scalar ?? .nan, gradientNorm: gradientNorm,
      wallTime: seconds(since: start)))
    if let onIteration, let last = records.last, !onIteration(last, theta) { break }
  }
  return GuidedTrainingResult(parameters: theta, records: records, configuration: c,
                              firstSuccessEpisode: firstSuccess, poolSize: pool.count)
}

/// log π_θ(aₜ|oₜ) of every step of `trajectories`, from one batched policy call on the
/// trajectories padded to the longest (`[k, T, ·]`, detached θ: no graph).
/// - Throws: `RLError` naming `guidedTrain` for sizes that do not fit; any error of the policy.
func currentLogProbs<P: StochasticPolicy>(of trajectories: [Trajectory], policy: P, parameters: ParameterList,
                                          dtype: DType) throws -> [[Double]] {
  let k = trajectories.count, o = policy.observationSize, a = policy.actionSize
  let t = trajectories.map(\.length).max() ?? 0
  guard k > 0, t > 0 else { return trajectories.map { _ in [] } }
  var obs = [Double](repeating: 0, count: k * t * o), act = [Double](repeating: 0, count: k * t * a)
  for (j, x) in trajectories.enumerated() {
    guard x.observations.count == x.length * o, x.actions.count == x.length * a else {
      throw RLError(.shapeMismatch, "guidedTrain", "buffer trajectory \(j) does not have \(x.length) observations of \(o) numbers and actions of \(a)")
    }
    for (i, v) in x.observations.enumerated() { obs[j * t * o + i] = v }
    for (i, v) in x.actions.enumerated() { act[j * t * a + i] = v }
  }
  let (observations, actions) = try learnerCall("guidedTrain") {
    (try Tensor(obs, shape: [k, t, o], dtype: dtype), try Tensor(act, shape: [k, t, a], dtype: dtype))
  }
  let logp = try policy.logProb(observations, actions, parameters: parameters.detached()).toArray()
  return trajectories.enumerated().map { j, x in Array(logp[(j * t)..<(j * t + x.length)]) }
}

/// `batch` followed by `trajectories` as extra episodes, padded to the longest of the batch's
/// horizon and the trajectories (padding: mask 0 and zeros, as the sampler pads).
/// - Throws: `RLError` naming `guidedTrain` for trajectories whose sizes differ from the batch's.
func appending(_ trajectories: [Trajectory], to batch: Batch) throws -> Batch {
  let b = batch.episodeCount, h = batch.horizon, o = batch.observationSize, a = batch.actionSize
  let t = max(h, trajectories.map(\.length).max() ?? 0), n = b + trajectories.count
  let c = batch.contents(), masks = batch.masks.toArray()
  var obs = [Double](repeating: 0, count: n * t * o), act = [Double](repeating: 0, count: n * t * a)
  var rew = [Double](repeating: 0, count: n * t), mask = rew, logp = rew
  for e in 0..<b {
    for s in 0..<h {
      let from = e * h + s, to = e * t + s
      for i in 0..<o { obs[to * o + i] = c.obs[from * o + i] }
      for i in 0..<a { act[to * a + i] = c.act[from * a + i] }
      rew[to] = c.rew[from]
      mask[to] = masks[from]
      logp[to] = c.logp[from]
    }
  }
  var finals = batch.finalObservations
  for (j, x) in trajectories.enumerated() {
    guard x.observationSize == o, x.actionSize == a, x.observations.count == x.length * o,
          x.actions.count == x.length * a, x.logProbs.count == x.length else {
      throw RLError(.shapeMismatch, "guidedTrain", "buffer trajectory \(j) has observations of \(x.observationSize) numbers and actions of \(x.actionSize), the task has \(o) and \(a)")
    }
    let row = (b + j) * t
    for (i, v) in x.observations.enumerated() { obs[row * o + i] = v }
    for (i, v) in x.actions.enumerated() { act[row * a + i] = v }
    for s in 0..<x.length {
      rew[row + s] = x.rewards[s]
      mask[row + s] = 1
      logp[row + s] = x.logProbs[s]
    }
    finals += x.finalObservation.count == o ? x.finalObservation : [Double](repeating: 0, count: o)
  }
  let dtype = batch.rewards.dtype
  return try learnerCall("guidedTrain") {
    Batch(observations: try Tensor(obs, shape: [n, t, o], dtype: dtype),
          actions: try Tensor(act, shape: [n, t, a], dtype: dtype),
          rewards: try Tensor(rew, shape: [n, t], dtype: dtype),
          masks: try Tensor(mask, shape: [n, t], dtype: dtype),
          logProbs: try Tensor(logp, shape: [n, t], dtype: dtype),
          lengths: batch.lengths + trajectories.map(\.length),
          terminated: batch.terminated + trajectories.map(\.terminated),
          taskIndex: batch.taskIndex, features: batch.features, seed: batch.seed,
          iteration: batch.iteration, finalObservations: finals)
  }
}
