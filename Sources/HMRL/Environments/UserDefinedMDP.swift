import HMTensor

/// What a user's tabular transition function returns for one (s, a).
public struct TabularTransition: Sendable, Equatable {
  /// P(· | s, a), `[S]`.
  public var next: [Double]
  /// r(s, a).
  public var reward: Double

  public init(next: [Double], reward: Double) {
    self.next = next
    self.reward = reward
  }
}

/// A tabular MDP from a function of (s, a), called once per pair and tabulated into native
/// tables, so every exact tool (value iteration, occupancy, metrics) runs on it at native speed.
///
/// ```swift
/// // a 3-state chain: action 1 moves right, reward 1 for leaving the last state
/// let mdp = try tabulatedMDP(stateCount: 3, actionCount: 2, initialDistribution: [1, 0, 0],
///                            horizon: 5) { s, a in
///   var p = [0.0, 0, 0]; p[a == 1 ? min(s + 1, 2) : s] = 1
///   return TabularTransition(next: p, reward: s == 2 && a == 1 ? 1 : 0)
/// }
/// ```
/// - Throws: `RLError` naming `userMDP` when the function returns a distribution of the wrong
///   length (the message names the pair), any error the function throws, and everything
///   ``TabularMDP/init(stateCount:actionCount:transitions:rewards:initialDistribution:horizon:discount:terminalStates:stepRewardScale:)``
///   checks (rows that are not probability vectors, non-finite rewards).
/// - Complexity: S·A calls of `transition`, O(S²A) memory.
public func tabulatedMDP(stateCount: Int, actionCount: Int, initialDistribution: [Double], horizon: Int,
                         discount: Double = 1, terminalStates: Set<Int> = [],
                         transition: (_ state: Int, _ action: Int) throws -> TabularTransition) throws -> TabularMDP {
  let op = "userMDP"
  guard stateCount >= 1, actionCount >= 1, stateCount * stateCount * actionCount <= 1 << 26 else {
    throw RLError(.invalidArgument, op, "\(stateCount) states × \(actionCount) actions is outside the supported 1...\(1 << 26) table entries")
  }
  var p = [Double](), r = [Double]()
  p.reserveCapacity(stateCount * actionCount * stateCount)
  for s in 0..<stateCount {
    for a in 0..<actionCount {
      let t = try transition(s, a)
      guard t.next.count == stateCount else {
        throw RLError(.shapeMismatch, op, "transition(s=\(s), a=\(a)) returned \(t.next.count) next-state probabilities, expected \(stateCount)")
      }
      p += t.next
      r.append(t.reward)
    }
  }
  return try TabularMDP(stateCount: stateCount, actionCount: actionCount, transitions: p, rewards: .perStateAction(r),
                        initialDistribution: initialDistribution, horizon: horizon, discount: discount,
                        terminalStates: terminalStates)
}

/// What a user's batched step function returns for the B episodes of a step.
public struct BatchedTransition {
  /// Next observations, `[B, observationSize]`.
  public var next: Tensor
  /// Rewards, `[B]`.
  public var rewards: Tensor
  /// 1 where the episode ends with this step, `[B]`; nil when episodes run to the horizon.
  public var done: Tensor?

  public init(next: Tensor, rewards: Tensor, done: Tensor? = nil) {
    self.next = next
    self.rewards = rewards
    self.done = done
  }
}

/// A continuous MDP given by a batched step function: called once per time step with the
/// observations `[B, observationSize]` and actions `[B, actionSize]` of all B episodes of the
/// batch (the state is the observation). Episodes start at `initialObservation`.
///
/// Made for the language binding: the step function may call into a single-threaded
/// interpreter, so the sampler runs these tasks on the calling thread (``isThreadSafe`` is
/// false unless set).
public struct ClosureEnvironment: EpisodicEnvironment {
  /// The batched step function `(observations, actions, t) → transition`.
  public typealias Step = (_ observations: Tensor, _ actions: Tensor, _ step: Int) throws -> BatchedTransition

  public let observationSize: Int
  public let actionSize: Int
  public let horizon: Int
  public let features: [Double]
  /// o₀ of every episode, `[observationSize]`.
  public let initialObservation: [Double]
  /// Whether `step` may run on several threads at once.
  public let isThreadSafe: Bool
  let stepFunction: Step

  /// The batch state: observations `[B * observationSize]` and the step count.
  public struct State {
    public internal(set) var observations: [Double]
    public internal(set) var step: Int
  }

  /// - Throws: `RLError` naming `userEnvironment` for sizes < 1, a horizon outside
  ///   1...`TabularMDP.maximumHorizon`, or an initial observation of the wrong length.
  public init(observationSize: Int, actionSize: Int, horizon: Int, initialObservation: [Double],
              features: [Double] = [], isThreadSafe: Bool = false, step: @escaping Step) throws {
    let op = "userEnvironment"
    guard observationSize >= 1, actionSize >= 1, observationSize <= 1 << 16, actionSize <= 1 << 16 else {
      throw RLError(.invalidArgument, op, "observation and action sizes must be >= 1, got \(observationSize) and \(actionSize)")
    }
    guard horizon >= 1, horizon <= TabularMDP.maximumHorizon else {
      throw RLError(.invalidArgument, op, "horizon must be in 1...\(TabularMDP.maximumHorizon), got \(horizon)")
    }
    guard initialObservation.count == observationSize, initialObservation.allSatisfy(\.isFinite) else {
      throw RLError(.shapeMismatch, op, "initial observation has \(initialObservation.count) numbers, expected \(observationSize) finite numbers")
    }
    self.observationSize = observationSize
    self.actionSize = actionSize
    self.horizon = horizon
    self.features = features
    self.initialObservation = initialObservation
    self.isThreadSafe = isThreadSafe
    self.stepFunction = step
  }

  public func reset(episodes: Int, streams: inout [RandomStream]) throws -> State {
    State(observations: Array((0..<max(0, episodes)).map { _ in initialObservation }.joined()), step: 0)
  }

  public func observations(of state: State) -> [Double] { state.observations }

  /// Calls the step function once for the whole batch and checks what it returns.
  /// - Throws: `RLError` naming `userEnvironment.step` when the function returns next
  ///   observations, rewards or done flags of the wrong shape, or a non-finite reward; any
  ///   error of the function.
  public func step(_ state: inout State, actions: [Double], alive: [Bool], streams: inout [RandomStream]) throws -> StepOutcome {
    let op = "userEnvironment.step"
    let b = alive.count, o = observationSize
    let dtype: DType = .float64
    guard state.observations.count == b * o else {
      throw RLError(.shapeMismatch, op, "the batch state holds \(state.observations.count) numbers for \(b) episodes of \(o)")
    }
    let obs = try Tensor(state.observations, shape: [b, o], dtype: dtype)
    guard actions.count == b * actionSize else {
      throw RLError(.shapeMismatch, op, "expected \(b) × \(actionSize) action numbers, got \(actions.count)")
    }
    let acts = try Tensor(actions, shape: [b, actionSize], dtype: dtype)
    let t = try stepFunction(obs, acts, state.step)
    guard t.next.shape == [b, o] else {
      throw RLError(.shapeMismatch, op, "the step function returned next observations of shape \(t.next.shape), expected [\(b), \(o)]")
    }
    guard t.rewards.shape == [b] || (b == 1 && t.rewards.count == 1) else {
      throw RLError(.shapeMismatch, op, "the step function returned rewards of shape \(t.rewards.shape), expected [\(b)]")
    }
    if let d = t.done, d.count != b || d.rank > 1 {
      throw RLError(.shapeMismatch, op, "the step function returned done flags of shape \(d.shape), expected [\(b)]")
    }
    let next = t.next.toArray(), rewards = t.rewards.toArray()
    let done = t.done?.toArray().map { $0 != 0 } ?? [Bool](repeating: false, count: b)
    var outcome = StepOutcome(rewards: [Double](repeating: 0, count: b), done: [Bool](repeating: false, count: b))
    for i in 0..<b where alive[i] {
      guard rewards[i].isFinite else {
        throw RLError(.invalidArgument, op, "the step function returned reward \(rewards[i]) for episode \(i)")
      }
      for k in 0..<o { state.observations[i * o + k] = next[i * o + k] }
      outcome.rewards[i] = rewards[i]
      outcome.done[i] = done[i]
    }
    state.step += 1
    return outcome
  }
}
