import HMTensor

/// The episodes of one task sampled in lockstep, padded to the horizon T.
///
/// Padded steps (after an episode ended) have mask 0 and zero observation, action, reward and
/// log-probability. Everything a learner needs is here, with how it was produced: the task's
/// index and features, the seed and the iteration (episode e drew from the streams
/// `(seed, [iteration, taskIndex, e, 0])` for the policy and `(…, 1)` for the environment).
public struct Batch {
  /// oₜ of every episode, `[B, T, observationSize]`.
  public let observations: Tensor
  /// aₜ as sampled (before any clipping by the environment), `[B, T, actionSize]`.
  public let actions: Tensor
  /// rₜ, `[B, T]`.
  public let rewards: Tensor
  /// 1 for real steps, 0 for padding, `[B, T]`.
  public let masks: Tensor
  /// log π_behaviour(aₜ | oₜ) in nats, `[B, T]`.
  public let logProbs: Tensor
  /// The number of real steps of each episode, `[B]`.
  public let lengths: [Int]
  /// Whether each episode ended by the environment's termination rule (not the horizon).
  public let terminated: [Bool]
  /// The task's index in its meta-batch.
  public let taskIndex: Int
  /// The task's features (goal coordinates for goal tasks).
  public let features: [Double]
  /// The seed the streams derive from.
  public let seed: UInt64
  /// The iteration the streams derive from.
  public let iteration: Int
  /// The observation after each episode's last step (the state it ended in), `[B * observationSize]`:
  /// what hindsight relabelling needs to recompute the last transition's reward under another task.
  public let finalObservations: [Double]

  /// B, the number of episodes.
  public var episodeCount: Int { lengths.count }
  /// T, the padded length.
  public var horizon: Int { masks.shape[1] }
  /// Numbers per observation.
  public var observationSize: Int { observations.shape[2] }
  /// Numbers per action.
  public var actionSize: Int { actions.shape[2] }

  /// Σₜ rₜ of each episode (undiscounted), `[B]`.
  public var undiscountedReturns: [Double] {
    let r = rewards.toArray(), t = horizon
    return (0..<episodeCount).map { b in r[(b * t)..<((b + 1) * t)].reduce(0, +) }
  }

  /// The mean undiscounted return over the batch's episodes (L_T = −this in Algorithm 1).
  public var meanReturn: Double {
    let r = undiscountedReturns
    return r.isEmpty ? 0 : r.reduce(0, +) / Double(r.count)
  }

  /// Episode `index`, without padding.
  /// - Throws: `RLError` (`.outOfRange`) naming `batch.trajectory` for a bad index.
  /// - Complexity: O(B·T) (the batch's tensors are read once); use ``trajectories()`` for all.
  public func trajectory(_ index: Int) throws -> Trajectory {
    guard index >= 0, index < episodeCount else {
      throw RLError(.outOfRange, "batch.trajectory", "episode \(index) is out of range 0..<\(episodeCount)")
    }
    return trajectory(index, from: contents())
  }

  /// Every episode, in order, without padding.
  /// - Complexity: O(B·T).
  public func trajectories() -> [Trajectory] {
    let c = contents()
    return (0..<episodeCount).map { trajectory($0, from: c) }
  }

  /// The batch's tensors as flat arrays (observations, actions, rewards, log-probabilities).
  func contents() -> (obs: [Double], act: [Double], rew: [Double], logp: [Double]) {
    (observations.toArray(), actions.toArray(), rewards.toArray(), logProbs.toArray())
  }

  func trajectory(_ index: Int, from c: (obs: [Double], act: [Double], rew: [Double], logp: [Double])) -> Trajectory {
    let t = horizon, n = lengths[index], o = observationSize, a = actionSize
    return Trajectory(observations: Array(c.obs[(index * t * o)..<((index * t + n) * o)]),
                      actions: Array(c.act[(index * t * a)..<((index * t + n) * a)]),
                      rewards: Array(c.rew[(index * t)..<(index * t + n)]),
                      logProbs: Array(c.logp[(index * t)..<(index * t + n)]),
                      observationSize: o, actionSize: a, terminated: terminated[index],
                      taskIndex: taskIndex, features: features,
                      finalObservation: Array(finalObservations[(index * o)..<((index + 1) * o)]))
  }
}

/// One episode taken out of a ``Batch``: flat row-major arrays of its n real steps.
public struct Trajectory: Sendable, Equatable {
  /// o₀ … o_{n−1}, `[n * observationSize]`.
  public let observations: [Double]
  /// a₀ … a_{n−1}, `[n * actionSize]`.
  public let actions: [Double]
  /// r₀ … r_{n−1}, `[n]`.
  public let rewards: [Double]
  /// Behaviour log-probabilities, `[n]`.
  public let logProbs: [Double]
  public let observationSize: Int
  public let actionSize: Int
  /// Whether it ended by the termination rule rather than the horizon.
  public let terminated: Bool
  /// The task it was sampled on.
  public let taskIndex: Int
  public let features: [Double]
  /// The observation after the last step, `[observationSize]` (empty when unknown, e.g. read from
  /// an older buffer file): o₁ … o_{n−1} and this give every transition's next state.
  public let finalObservation: [Double]

  public init(observations: [Double], actions: [Double], rewards: [Double], logProbs: [Double],
              observationSize: Int, actionSize: Int, terminated: Bool, taskIndex: Int, features: [Double],
              finalObservation: [Double] = []) {
    self.observations = observations
    self.actions = actions
    self.rewards = rewards
    self.logProbs = logProbs
    self.observationSize = observationSize
    self.actionSize = actionSize
    self.terminated = terminated
    self.taskIndex = taskIndex
    self.features = features
    self.finalObservation = finalObservation
  }

  /// The observation after step `t` (o_{t+1}), or nil after the last step when the final
  /// observation is unknown.
  public func nextObservation(after t: Int) -> ArraySlice<Double>? {
    let o = observationSize
    if t + 1 < length { return observations[((t + 1) * o)..<((t + 2) * o)] }
    return finalObservation.count == o ? finalObservation[...] : nil
  }

  /// n, the number of steps.
  public var length: Int { rewards.count }
  /// Σₜ rₜ.
  public var undiscountedReturn: Double { rewards.reduce(0, +) }
}
