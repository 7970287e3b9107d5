import HMTensor

extension EpisodicEnvironment {
  /// Whether the sampler may step tasks of this environment on several threads at once
  /// (false for environments that call back into a single-threaded interpreter).
  public var isThreadSafe: Bool { true }
}

/// Samples `episodes` episodes of one task in lockstep: at each step the policy sees the
/// observations of all B episodes as one `[B, observationSize]` tensor and the environment
/// steps them together.
///
/// Episode e draws its actions from the stream `(seed, [iteration, taskIndex, e, 0])` and its
/// environment randomness from `(seed, [iteration, taskIndex, e, 1])`: the batch depends on
/// nothing but these names, the policy and the environment.
///
/// - Parameters:
///   - environment: the task.
///   - policy: π, whose observation and action sizes must match the environment's.
///   - parameters: θ (a pre-update or adapted list); used detached (no graph is recorded).
///   - episodes: B ≥ 1.
///   - dtype: the dtype of the batch's tensors (float32 by default).
/// - Throws: `RLError` naming `sample` for mismatched sizes or B < 1, and any error of the
///   policy or the environment.
/// - Complexity: T policy evaluations on B rows and T environment steps.
public func sampleBatch<E: EpisodicEnvironment, P: StochasticPolicy>(
  _ environment: E, policy: P, parameters: ParameterList, episodes: Int,
  seed: UInt64, iteration: Int = 0, taskIndex: Int = 0, dtype: DType = .float32) throws -> Batch {
  let op = "sample"
  guard episodes >= 1, episodes <= 1 << 20 else {
    throw RLError(.invalidArgument, op, "episodes must be in 1...\(1 << 20), got \(episodes)")
  }
  guard iteration >= 0, taskIndex >= 0 else {
    throw RLError(.invalidArgument, op, "iteration \(iteration) and task index \(taskIndex) must be >= 0")
  }
  let o = environment.observationSize, a = environment.actionSize, horizon = environment.horizon, b = episodes
  guard policy.observationSize == o, policy.actionSize == a else {
    throw RLError(.shapeMismatch, op, "the policy maps \(policy.observationSize) observation numbers to \(policy.actionSize) action numbers, the environment has \(o) and \(a)")
  }
  guard horizon >= 1, horizon <= TabularMDP.maximumHorizon, b * horizon * max(o, a) <= 1 << 28 else {
    throw RLError(.invalidArgument, op, "batch of \(b) episodes × \(horizon) steps is too large")
  }
  let theta = parameters.detached()
  let names: [UInt64] = [UInt64(iteration), UInt64(taskIndex)]
  var policyStreams = (0..<b).map { RandomStream(seed: seed, stream: names + [UInt64($0), 0]) }
  var envStreams = (0..<b).map { RandomStream(seed: seed, stream: names + [UInt64($0), 1]) }
  var state = try environment.reset(episodes: b, streams: &envStreams)

  var obsAll = [Double](repeating: 0, count: b * horizon * o)
  var actAll = [Double](repeating: 0, count: b * horizon * a)
  var rewAll = [Double](repeating: 0, count: b * horizon)
  var maskAll = [Double](repeating: 0, count: b * horizon)
  var logpAll = [Double](repeating: 0, count: b * horizon)
  var lengths = [Int](repeating: 0, count: b)
  var terminated = [Bool](repeating: false, count: b)
  var alive = [Bool](repeating: true, count: b)
  var live = b
  var t = 0
  while t < horizon && live > 0 {
    let obs = environment.observations(of: state)
    guard obs.count == b * o else {
      throw RLError(.shapeMismatch, op, "the environment gave \(obs.count) observation numbers, expected \(b) × \(o)")
    }
    let drawn = try policy.sample(try Tensor(obs, shape: [b, o], dtype: dtype), parameters: theta, streams: &policyStreams)
    let actions = drawn.actions.toArray(), logps = drawn.logProbs.toArray()
    guard actions.count == b * a, logps.count == b else {
      throw RLError(.shapeMismatch, op, "the policy gave \(actions.count) action numbers, expected \(b) × \(a)")
    }
    let outcome = try environment.step(&state, actions: actions, alive: alive, streams: &envStreams)
    guard outcome.rewards.count == b, outcome.done.count == b else {
      throw RLError(.shapeMismatch, op, "the environment gave \(outcome.rewards.count) rewards, expected \(b)")
    }
    for e in 0..<b where alive[e] {
      let row = e * horizon + t
      for k in 0..<o { obsAll[row * o + k] = obs[e * o + k] }
      for k in 0..<a { actAll[row * a + k] = actions[e * a + k] }
      rewAll[row] = outcome.rewards[e]
      maskAll[row] = 1
      logpAll[row] = logps[e]
      lengths[e] = t + 1
      if outcome.done[e] {
        alive[e] = false
        terminated[e] = true
        live -= 1
      }
    }
    t += 1
  }
  // NOTE: episodes that ended are left as they are, so the final state holds every episode's
  // last state (after its terminal transition or at the horizon).
  let finalObservations = environment.observations(of: state)
  guard finalObservations.count == b * o else {
    throw RLError(.shapeMismatch, op, "the environment gave \(finalObservations.count) observation numbers, expected \(b) × \(o)")
  }
  return Batch(observations: try Tensor(obsAll, shape: [b, horizon, o], dtype: dtype),
               actions: try Tensor(actAll, shape: [b, horizon, a], dtype: dtype),
               rewards: try Tensor(rewAll, shape: [b, horizon], dtype: dtype),
               masks: try Tensor(maskAll, shape: [b, horizon], dtype: dtype),
               logProbs: try Tensor(logpAll, shape: [b, horizon], dtype: dtype),
               lengths: lengths, terminated: terminated, taskIndex: taskIndex,
               features: environment.features, seed: seed, iteration: iteration,
               finalObservations: finalObservations)
}

/// Samples a meta-batch: `episodes` episodes on every task, tasks spread over threads.
///
/// Task i runs with `parameters[i]` (or `parameters[0]` for every task when one list is given,
/// the pre-update θ) as ``sampleBatch(_:policy:parameters:episodes:seed:iteration:taskIndex:dtype:)``
/// with `taskIndex: i`. Tasks are assigned to at most `threads` workers round-robin (default
/// `Parallelism.threadCount`, i.e. `HMAML_THREADS`); every task's batch depends only on its
/// streams, so the result is identical for any thread count. Environments that are not
/// ``EpisodicEnvironment/isThreadSafe`` run on the calling thread.
///
/// - Throws: `RLError` naming `sample` when the number of parameter lists is neither 1 nor the
///   number of tasks; otherwise the error of the lowest-indexed task that failed.
public func sampleBatches<E: EpisodicEnvironment, P: StochasticPolicy>(
  _ environments: [E], policy: P, parameters: [ParameterList], episodes: Int,
  seed: UInt64, iteration: Int = 0, dtype: DType = .float32, threads: Int? = nil) throws -> [Batch] {
  let n = environments.count
  guard parameters.count == 1 || parameters.count == n else {
    throw RLError(.shapeMismatch, "sample", "\(parameters.count) parameter lists for \(n) tasks (give 1 or \(n))")
  }
  let detached = parameters.map { $0.detached() }
  let parallel = environments.allSatisfy(\.isThreadSafe)
  return try concurrentMap(n, threads: parallel ? threads : 1) { i in
    try sampleBatch(environments[i], policy: policy, parameters: detached[detached.count == 1 ? 0 : i],
                    episodes: episodes, seed: seed, iteration: iteration, taskIndex: i, dtype: dtype)
  }
}
