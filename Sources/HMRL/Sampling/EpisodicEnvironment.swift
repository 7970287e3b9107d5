import HMTensor

/// What one batched step of an environment returns for every episode of the batch.
public struct StepOutcome: Sendable, Equatable {
  /// The reward of each episode's transition, `[B]` (0 for episodes that were not alive).
  public var rewards: [Double]
  /// Whether each episode ended with this step, `[B]` (the step itself is still recorded).
  public var done: [Bool]

  public init(rewards: [Double], done: [Bool]) {
    self.rewards = rewards
    self.done = done
  }
}

/// An environment that steps a whole batch of B episodes of one task in lockstep: what the
/// batched sampler (``sampleBatch(_:policy:parameters:episodes:seed:iteration:taskIndex:)``) runs.
///
/// Randomness comes only from the per-episode `streams` the sampler passes in (stream
/// `(seed, [iteration, task, episode, 1])` for episode `episode`), so an episode's course never
/// depends on the other episodes or on which thread ran it.
///
/// The state is opaque to the sampler; observations are flat row-major `[B, observationSize]`
/// and actions `[B, actionSize]` (a discrete action is one number holding its index).
public protocol EpisodicEnvironment {
  /// The environment's internal state for a batch of episodes.
  associatedtype State
  /// Numbers per observation.
  var observationSize: Int { get }
  /// Numbers per action (1 for a discrete action index).
  var actionSize: Int { get }
  /// The maximum number of steps of an episode.
  var horizon: Int { get }
  /// The task's feature vector (goal coordinates for goal tasks).
  var features: [Double] { get }
  /// The initial state of `episodes` episodes; `streams.count == episodes`.
  func reset(episodes: Int, streams: inout [RandomStream]) throws -> State
  /// The observations of every episode, `[B * observationSize]`.
  func observations(of state: State) -> [Double]
  /// Advances every episode with `alive[i]` by `actions[i]`; dead episodes are left as they are.
  func step(_ state: inout State, actions: [Double], alive: [Bool], streams: inout [RandomStream]) throws -> StepOutcome
}
