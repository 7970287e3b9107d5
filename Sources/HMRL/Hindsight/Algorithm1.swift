import HMTensor

/// Hindsight MAML — task metric training: the note's Algorithm 1, line for line.
///
///      1: θ ← MAML
///      2: Initialise buffer R
///      3: Initialise Siamese net f_φ
///      4: for numIter do
///      5:   for i ∈ [N] do
///      6:     τ ← Sample(π_θ, Tᵢ)
///      7:     θ′ᵢ ← θ − α ∇θ L_Tᵢ(π_θ, τ)
///      8:     τ′ ← Sample(π_θ′ᵢ, Tᵢ)
///      9:     if L_Tᵢ(π_θ′ᵢ, τ′) < δ then
///     10:       R ← R ∪ {τ′, Tᵢ}
///     11:   for i, j ∈ [N] × [N] do
///     12:     if P(π_θ′ᵢ, π_θ′ⱼ) < ε then
///     13:       label ← 1
///     14:     else
///     15:       label ← 0
///     16:   φ ← φ − β ∇φ L_φ(f_φ(Tᵢ, Tⱼ), label)
///     return R, f_φ
///
/// Choices the note leaves open, made precise (DESIGN.md §4; docs/hindsight.md):
/// - L_T is minus the mean undiscounted return of the sampled episodes, so δ is in return units;
///   the gradient of line 7 is the REINFORCE gradient of pytorch-maml-rl (linear baseline, GAE).
/// - Line 12 uses P of Def. 4 or, with `rule: .sampledStates`, the §II rule; ε is given or taken
///   as a quantile of the iteration's divergences, so both labels occur.
/// - Line 16 is `siameseSteps` Adam steps (rate β) on class-balanced minibatches of the pairs
///   among the training tasks; a fraction of the tasks is held out of φ's training and its pairs
///   measure how well f_φ generalises (accuracy, AUC, N-way one-shot retrieval).
public struct HindsightConfiguration: Codable, Sendable, Equatable {
  /// numIter, the number of outer iterations (line 4).
  public var iterations: Int = 10
  /// α, the inner learning rate of line 7.
  public var innerLearningRate: Double = 0.1
  /// Episodes of τ (line 6) and of τ′ (line 8) per task.
  public var episodes: Int = 20
  /// δ (line 9), in return units: τ′ enters R when L = −(mean return of τ′) < δ.
  public var delta: Double = 0
  /// nil: the whole of an admitted τ′ enters R (line 10, as the note writes it); a number: only
  /// its episodes whose return is at least this (e.g. the successes of a sparse task).
  public var minimumEpisodeReturn: Double? = nil
  /// The labelling rule of line 12.
  public var rule: TaskPairRule = .policyDivergence
  /// ε (line 12); nil: the `epsilonQuantile`-quantile of each iteration's divergences.
  public var epsilon: Double? = nil
  /// The quantile that sets ε when `epsilon` is nil (about this fraction of pairs is similar).
  public var epsilonQuantile: Double = 0.3
  /// Adam steps on φ per iteration (line 16).
  public var siameseSteps: Int = 100
  /// The fraction of the N tasks held out of φ's training, for the diagnostics (0 for none).
  public var heldOutFraction: Double = 0.25
  /// N in the N-way one-shot retrieval diagnostic.
  public var oneShotWays: Int = 5
  /// Steps per task the policy divergence is estimated on (more are subsampled).
  public var statesPerTask: Int = 64
  /// K, the states of the §II rule.
  public var sampledStates: Int = 64
  /// γ and λ of the advantages of line 7.
  public var discount: Double = 0.99
  public var gaeLambda: Double = 1
  public var normalizeAdvantages: Bool = true
  /// The seed of every stream of the run.
  public var seed: UInt64 = 0

  public init() {}

  func validate() throws {
    let op = "hindsight"
    guard iterations >= 0, iterations <= 1_000_000 else { throw RLError(.invalidArgument, op, "iterations must be in 0...1000000, got \(iterations)") }
    guard innerLearningRate.isFinite, delta.isFinite, minimumEpisodeReturn?.isFinite ?? true else {
      throw RLError(.invalidArgument, op, "the inner learning rate, delta and the minimum episode return must be finite")
    }
    guard episodes >= 1, episodes <= 1 << 20 else { throw RLError(.invalidArgument, op, "episodes must be in 1...\(1 << 20), got \(episodes)") }
    if let e = epsilon, !(e.isFinite && e > 0) { throw RLError(.invalidArgument, op, "epsilon must be a positive number, got \(e)") }
    guard epsilonQuantile > 0, epsilonQuantile < 1 else { throw RLError(.invalidArgument, op, "epsilon_quantile must be in (0, 1), got \(epsilonQuantile)") }
    guard siameseSteps >= 0, siameseSteps <= 10_000_000 else { throw RLError(.invalidArgument, op, "siamese_steps must be in 0...10000000") }
    guard heldOutFraction >= 0, heldOutFraction < 1 else { throw RLError(.invalidArgument, op, "held_out must be in [0, 1), got \(heldOutFraction)") }
    guard oneShotWays >= 2 else { throw RLError(.invalidArgument, op, "one_shot_ways must be at least 2") }
    guard discount >= 0, discount <= 1, gaeLambda >= 0, gaeLambda <= 1 else { throw RLError(.invalidArgument, op, "discount and gae_lambda must be in [0, 1]") }
  }
}

/// What one iteration of Algorithm 1 did and how well f_φ separates the tasks.
public struct HindsightIterationRecord: Codable, Sendable, Equatable {
  public var iteration: Int
  /// |R| after lines 5–10.
  public var bufferSize: Int
  /// Trajectories inserted this iteration, and from how many tasks.
  public var inserted: Int
  public var tasksInserted: Int
  /// Mean return of τ (π_θ) and of τ′ (π_θ′ᵢ) over the N tasks.
  public var meanReturn: Double
  public var adaptedReturn: Double
  /// ε of line 12 and the fraction of pairs labelled similar (the label base rate).
  public var epsilon: Double
  public var positiveRate: Double
  /// Mean binary cross-entropy of line 16's steps (nil when the training pairs lacked a class).
  public var siameseLoss: Double?
  /// f_φ on the training pairs and on the held-out pairs, after line 16.
  public var training: SiameseDiagnostics
  public var heldOut: SiameseDiagnostics?
  /// N-way one-shot retrieval accuracy among the held-out tasks (nil when no query had enough candidates).
  public var oneShotAccuracy: Double?
  /// Seconds per phase: sampling (lines 6, 8), adaptation (7), the divergences (11–15), φ (16).
  public var samplingTime: Double
  public var adaptationTime: Double
  public var divergenceTime: Double
  public var siameseTime: Double
  public var wallTime: Double
}

/// What Algorithm 1 returns: R, f_φ, and the record of every iteration.
public struct HindsightResult {
  public var buffer: TrajectoryBuffer
  public var siamese: SiameseNetwork
  public var records: [HindsightIterationRecord]
  public var configuration: HindsightConfiguration
  /// The last iteration's divergence matrix (N×N), its pairs with labels, and the held-out tasks.
  public var divergences: [[Double]]
  public var pairs: [TaskPair]
  public var heldOutTasks: [Int]
  /// The last iteration's task descriptions (what f_φ saw), adapted parameters θ′ᵢ and their
  /// episodes τ′ᵢ.
  public var taskDescriptions: [TaskDescription]
  public var adaptedParameters: [ParameterList]
  public var experience: [Batch]
}

/// Runs Algorithm 1 on the tasks T₁ … T_N from the meta-learned θ (line 1: `metaParameters`),
/// filling `buffer` (line 2: pass an empty one, or one to extend) and training `siamese`
/// (line 3: its configuration picks the task encoder — over the tasks' features, or over the
/// transitions of each task's τ′).
///
/// Streams: at iteration k, τ of task i is sampled as iteration 2k and τ′ as 2k + 1 (episode e
/// draws from `(seed, [2k(+1), i, e, ·])`); the divergences' subsampling from `(seed, [k, 2³² + 3])`;
/// the held-out split from `(seed, [2³² + 4])`. Results do not depend on the thread count.
///
/// - Parameter onIteration: called after each iteration with its record, R and f_φ; false stops the run
///   (Ctrl-C), and the result holds what was done so far.
/// - Throws: `RLError` for an invalid configuration, fewer than two tasks, a Siamese net whose
///   input does not fit the tasks, and any error of sampling, the policy or f_φ.
public func hindsight<E: EpisodicEnvironment, P: DistributionalPolicy>(
  policy: P, tasks: [E], metaParameters: ParameterList, buffer initialBuffer: TrajectoryBuffer,
  siamese initialSiamese: SiameseNetwork, configuration: HindsightConfiguration = HindsightConfiguration(),
  onIteration: ((HindsightIterationRecord, TrajectoryBuffer, SiameseNetwork) -> Bool)? = nil) throws -> HindsightResult {
  let c = configuration, op = "hindsight"
  try c.validate()
  let n = tasks.count
  guard n >= 2 else { throw RLError(.invalidArgument, op, "Algorithm 1 needs at least two tasks, got \(n)") }
  let theta = metaParameters.detached()                                   // 1: θ ← MAML
  var buffer = initialBuffer                                              // 2: initialise R
  var siamese = initialSiamese                                            // 3: initialise f_φ
  let (trainingTasks, heldOutTasks) = split(n, heldOut: c.heldOutFraction, seed: c.seed)
  var result = HindsightResult(buffer: buffer, siamese: siamese, records: [], configuration: c, divergences: [],
                               pairs: [], heldOutTasks: heldOutTasks, taskDescriptions: [], adaptedParameters: [], experience: [])
  for k in 0..<c.iterations {                                             // 4: for numIter
    let start = ContinuousClock.now
    // 5–6: τ ~ π_θ on every task (tasks sampled together, over threads).
    var clock = ContinuousClock.now
    let tau = try sampleBatches(tasks, policy: policy, parameters: [theta], episodes: c.episodes,
                                seed: c.seed, iteration: 2 * k)
    var samplingTime = seconds(since: clock)
    // 7: θ′ᵢ = θ − α ∇θ L_Tᵢ(π_θ, τ).
    clock = ContinuousClock.now
    let adapted = try concurrentMap(n) { i -> ParameterList in
      let data = try PolicyGradientData(batch: tau[i], discount: c.discount, lambda: c.gaeLambda,
                                        normalize: c.normalizeAdvantages)
      return try adapt(policy, parameters: theta, data: [data], innerLearningRate: c.innerLearningRate,
                       secondOrder: false).detached()
    }
    let adaptationTime = seconds(since: clock)
    // 8: τ′ ~ π_θ′ᵢ.
    clock = ContinuousClock.now
    let tauPrime = try sampleBatches(tasks, policy: policy, parameters: adapted, episodes: c.episodes,
                                     seed: c.seed, iteration: 2 * k + 1)
    samplingTime += seconds(since: clock)
    var inserted = 0, tasksInserted = 0
    for batch in tauPrime where -batch.meanReturn < c.delta {           // 9: L_Tᵢ(π_θ′ᵢ, τ′) < δ
      var added = 0                                                      // 10: R ← R ∪ {τ′, Tᵢ}
      for t in batch.trajectories() where t.undiscountedReturn >= (c.minimumEpisodeReturn ?? -.infinity) {
        if buffer.insert(t) { added += 1 }
      }
      inserted += added
      if added > 0 { tasksInserted += 1 }
    }
    // 11–15: label every pair by P(π_θ′ᵢ, π_θ′ⱼ) < ε (or the §II rule).
    clock = ContinuousClock.now
    let divergences = try taskPairDivergences(
      policy: policy, parameters: adapted, batches: tauPrime, rule: c.rule, statesPerTask: c.statesPerTask,
      sampledStates: c.sampledStates, stream: RandomStream(seed: c.seed, stream: [UInt64(k), (1 << 32) + 3]))
    let eps = try c.epsilon ?? epsilon(quantile: c.epsilonQuantile, of: divergences)
    let pairs = labelledTaskPairs(divergences, epsilon: eps)
    let divergenceTime = seconds(since: clock)
    // 16: φ ← φ − β ∇φ L_φ(f_φ(Tᵢ, Tⱼ), label), on the pairs among the training tasks.
    clock = ContinuousClock.now
    let descriptions = try taskDescriptions(siamese.configuration, tasks: tasks, experience: tauPrime)
    let isTraining = Set(trainingTasks)
    let trainingPairs = pairs.filter { isTraining.contains($0.first) && isTraining.contains($0.second) }
    let heldOutPairs = pairs.filter { !isTraining.contains($0.first) && !isTraining.contains($0.second) }
    var loss: Double?
    if trainingPairs.contains(where: \.similar) && trainingPairs.contains(where: { !$0.similar }) && c.siameseSteps > 0 {
      loss = try siamese.train(tasks: descriptions, pairs: trainingPairs, steps: c.siameseSteps)
    }
    let siameseTime = seconds(since: clock)
    // Diagnostics: f_φ on the training pairs and on the pairs it never saw.
    let similarity = try siamese.similarityMatrix(descriptions)
    let diagnose = { (p: [TaskPair]) throws in
      try siameseDiagnostics(predictions: p.map { similarity[$0.first][$0.second] }, labels: p.map(\.similar))
    }
    var oneShot: Double?
    if !heldOutPairs.isEmpty {
      var rng = RandomStream(seed: c.seed, stream: [UInt64(k), (1 << 32) + 5])
      let retrieval = try oneShotRetrievalAccuracy(similarity: similarity, pairs: heldOutPairs, ways: c.oneShotWays,
                                                   trials: 200, using: &rng)
      oneShot = retrieval.trials > 0 ? retrieval.accuracy : nil
    }
    let record = HindsightIterationRecord(
      iteration: k, bufferSize: buffer.count, inserted: inserted, tasksInserted: tasksInserted,
      meanReturn: tau.map(\.meanReturn).reduce(0, +) / Double(n),
      adaptedReturn: tauPrime.map(\.meanReturn).reduce(0, +) / Double(n),
      epsilon: eps, positiveRate: pairs.isEmpty ? 0 : Double(pairs.filter(\.similar).count) / Double(pairs.count),
      siameseLoss: loss, training: try diagnose(trainingPairs), heldOut: heldOutPairs.isEmpty ? nil : try diagnose(heldOutPairs),
      oneShotAccuracy: oneShot, samplingTime: samplingTime, adaptationTime: adaptationTime,
      divergenceTime: divergenceTime, siameseTime: siameseTime, wallTime: seconds(since: start))
    result.records.append(record)
    result.buffer = buffer
    result.siamese = siamese
    result.divergences = divergences
    result.pairs = pairs
    result.taskDescriptions = descriptions
    result.adaptedParameters = adapted
    result.experience = tauPrime
    if let onIteration, !onIteration(record, buffer, siamese) { break }
  }
  return result                                                           // return R, f_φ
}

/// What f_φ sees of each task: its features, or the transitions (s, a, r, s′) of its episodes.
/// - Throws: `RLError` naming `hindsight` when the sizes do not fit f_φ's input.
public func taskDescriptions<E: EpisodicEnvironment>(_ configuration: SiameseConfiguration, tasks: [E],
                                                     experience: [Batch]) throws -> [TaskDescription] {
  switch configuration.encoder {
  case .features:
    return try tasks.enumerated().map { i, t in
      guard t.features.count == configuration.inputSize else {
        throw RLError(.shapeMismatch, "hindsight", "task \(i) has \(t.features.count) features, the Siamese net takes \(configuration.inputSize)")
      }
      return .features(t.features)
    }
  case .transitions:
    return try experience.map { try TaskDescription(transitionsOf: $0.trajectories()) }
  }
}

/// The training and held-out task indices: a seeded permutation, the last ⌈fraction·N⌉ held
/// out (at least two when any are, so held-out pairs exist; none when N < 4).
func split(_ n: Int, heldOut fraction: Double, seed: UInt64) -> (training: [Int], heldOut: [Int]) {
  guard fraction > 0, n >= 4 else { return (Array(0..<n), []) }
  var order = Array(0..<n)
  var rng = RandomStream(seed: seed, stream: [(1 << 32) + 4])
  order.shuffle(using: &rng)
  let count = min(n - 2, max(2, Int((fraction * Double(n)).rounded(.up))))
  return (order.prefix(n - count).sorted(), order.suffix(count).sorted())
}
