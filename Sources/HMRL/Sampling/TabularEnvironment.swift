import HMTensor

/// A ``TabularMDP`` as a batched environment for neural and tabular-softmax policies.
///
/// Observations are rows of an observation table `[S, observationSize]` (one-hot by default;
/// a maze's normalised coordinates with ``init(maze:observation:features:)``); actions are one
/// number holding the action index. Transitions and the initial state are drawn from the
/// episode's own stream; entering a terminal state or reaching the horizon ends an episode.
public struct TabularEnvironment: EpisodicEnvironment, Sendable {
  /// The MDP.
  public let mdp: TabularMDP
  /// The observation of each state, flat `[S * observationSize]`.
  public let observationTable: [Double]
  public let observationSize: Int
  public let features: [Double]
  public var actionSize: Int { 1 }
  public var horizon: Int { mdp.horizon }

  /// The batch state: each episode's current state index and its step count.
  public struct State: Sendable {
    /// s of each episode, `[B]`.
    public internal(set) var states: [Int]
    /// Decisions taken so far (the same for every live episode).
    public internal(set) var step: Int
  }

  /// An environment observing `observationTable` (default: one-hot states).
  /// - Throws: `RLError` naming `tabularEnvironment` when the table's size is not a multiple
  ///   of the number of states or has a non-finite entry.
  public init(mdp: TabularMDP, observationTable: [Double]? = nil, features: [Double] = []) throws {
    let s = mdp.stateCount
    var table = observationTable ?? []
    if observationTable == nil {
      table = [Double](repeating: 0, count: s * s)
      for i in 0..<s { table[i * s + i] = 1 }
    }
    guard !table.isEmpty, table.count % s == 0, table.allSatisfy(\.isFinite) else {
      throw RLError(.shapeMismatch, "tabularEnvironment",
                    "observation table has \(table.count) finite entries, expected a positive multiple of \(s) states")
    }
    self.mdp = mdp
    self.observationTable = table
    self.observationSize = table.count / s
    self.features = features
  }

  /// A maze observed as `observation` (`.oneHot` or `.normalizedCoordinates`); features are
  /// the goal's normalised coordinates when the maze has a goal.
  /// - Throws: `RLError` from the maze's observation function.
  public init(maze: GridMaze, observation: GridMaze.ObservationKind, features: [Double]? = nil) throws {
    var table = [Double]()
    for s in 0..<maze.stateCount { table += try maze.observation(of: s, as: observation) }
    try self.init(mdp: maze.mdp, observationTable: table,
                  features: features ?? maze.goal.map { maze.normalizedCoordinates(of: $0) } ?? [])
  }

  public func reset(episodes: Int, streams: inout [RandomStream]) throws -> State {
    guard episodes >= 0, streams.count >= episodes else {
      throw RLError(.invalidArgument, "tabularEnvironment.reset", "\(episodes) episodes need as many random streams, got \(streams.count)")
    }
    var states = [Int](repeating: 0, count: episodes)
    for i in 0..<episodes {
      states[i] = sampleCategorical(mdp.initialDistribution[...], using: &streams[i])
    }
    return State(states: states, step: 0)
  }

  public func observations(of state: State) -> [Double] {
    var out = [Double]()
    out.reserveCapacity(state.states.count * observationSize)
    for s in state.states { out += observationTable[(s * observationSize)..<((s + 1) * observationSize)] }
    return out
  }

  /// - Throws: `RLError` (`.outOfRange`) naming `tabularEnvironment.step` for an action that is
  ///   not an integer in 0..<A, `.shapeMismatch` for the wrong number of actions.
  public func step(_ state: inout State, actions: [Double], alive: [Bool], streams: inout [RandomStream]) throws -> StepOutcome {
    let op = "tabularEnvironment.step"
    let b = alive.count
    guard actions.count == b, state.states.count == b, streams.count >= b else {
      throw RLError(.shapeMismatch, op, "expected \(b) actions, got \(actions.count)")
    }
    let (nS, nA) = (mdp.stateCount, mdp.actionCount)
    var outcome = StepOutcome(rewards: [Double](repeating: 0, count: b), done: [Bool](repeating: false, count: b))
    for i in 0..<b where alive[i] {
      let v = actions[i]
      guard v.isFinite, v == v.rounded(), v >= 0, v < Double(nA) else {
        throw RLError(.outOfRange, op, "action \(v) of episode \(i) is out of range 0..<\(nA)")
      }
      let s = state.states[i], a = Int(v)
      if mdp.isTerminal[s] {
        outcome.done[i] = true
        continue
      }
      let row = (s * nA + a) * nS
      let next = sampleCategorical(mdp.transitions[row..<(row + nS)], using: &streams[i])
      outcome.rewards[i] = mdp.rewardScale(step: state.step) * mdp.rewardUnchecked(state: s, action: a, next: next)
      outcome.done[i] = mdp.isTerminal[next]
      state.states[i] = next
    }
    state.step += 1
    return outcome
  }
}
