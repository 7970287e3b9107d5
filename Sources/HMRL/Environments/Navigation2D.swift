#if canImport(Glibc)
import Glibc
#endif
import HMTensor

/// The MAML 2D point-navigation task (Finn et al. 2017; DESIGN.md §5), as in cbfinn/maml_rl,
/// tristandeleu/pytorch-maml-rl and learn2learn, which agree:
///
/// - state = observation = position, `[2]`, start (0, 0);
/// - action = velocity, clipped to [−`maxAction`, `maxAction`]² inside the environment;
/// - next = position + clipped action;
/// - reward = −‖next − goal‖₂ (``RewardForm/distance``, the code's form) or −‖next − goal‖₂²
///   (``RewardForm/squaredDistance``, the paper's wording); record the form with every result;
/// - the episode ends when |dx| < 0.01 and |dy| < 0.01 (``successTolerance``), or after
///   `horizon` (100) steps; the step that reaches the goal is the last one recorded.
///
/// The sparse variant (PEARL's sparse point robot, ``sparse(goal:)``) pays 1 − ‖next − goal‖
/// inside ``sparseRadius`` of the goal and 0 elsewhere, has horizon 20 and never ends early.
///
/// ProMP's corner variant (``corner(goal:rewardForm:sparseRadius:horizon:)``): goals at
/// (±2, ±2), actions clipped to ±0.2, starts uniform in [−0.2, 0.2]², no early end; dense
/// rewards as above, or sparse: 0 within L1 distance `cornerSparseRadius` (0.5) of the origin,
/// else the progress ‖prev − goal‖ − ‖next − goal‖ when the goal is the nearest corner (the
/// quadrant of next), 0 otherwise.
///
/// Reference returns on the canonical spec: zero action −38.1 (mean over goals), the untrained
/// N(0, 1) policy about −90, a greedy oracle −0.5.
public struct Navigation2D: Sendable, Equatable, EpisodicEnvironment {
  /// How the dense reward depends on the distance to the goal.
  public enum RewardForm: String, Sendable, CaseIterable {
    /// −‖next − goal‖₂ (the reference code).
    case distance
    /// −‖next − goal‖₂² (the MAML paper's text).
    case squaredDistance = "squared_distance"
  }

  /// The goal, `[2]`.
  public let goal: [Double]
  /// The dense reward form (ignored by the sparse variant).
  public let rewardForm: RewardForm
  /// Maximum number of steps per episode (100 canonical, 20 sparse).
  public let horizon: Int
  /// Actions are clipped to [−maxAction, maxAction] per coordinate (0.1).
  public let maxAction: Double
  /// The episode ends when both |dx| and |dy| are below this (0.01); 0 disables early ends.
  public let successTolerance: Double
  /// When set, the sparse variant: reward 1 − ‖next − goal‖ within this radius, 0 outside.
  public let sparseRadius: Double?
  /// Starts are uniform in [−startHalfWidth, startHalfWidth]² (0: always the origin).
  public let startHalfWidth: Double
  /// When set, ProMP's sparse corner reward with this L1 radius around the origin.
  public let cornerSparseRadius: Double?

  public var observationSize: Int { 2 }
  public var actionSize: Int { 2 }
  /// The task features: the goal coordinates.
  public var features: [Double] { goal }
  /// A short name of the variant, to record with results (`"canonical/distance"`, `"sparse/0.2"`,
  /// `"corner/sparse/0.5"`).
  public var variantName: String {
    if let r = sparseRadius { return "sparse/\(r)" }
    if let r = cornerSparseRadius { return "corner/sparse/\(r)" }
    let base: String
    if startHalfWidth == 0 && maxAction == 0.1 {
      base = "canonical"
    } else if startHalfWidth == 0.2 && maxAction == 0.2 {
      base = "corner"
    } else {
      base = "custom(maxAction: \(maxAction), start: \(startHalfWidth))"
    }
    return "\(base)/\(rewardForm.rawValue)"
  }

  /// Creates a navigation task.
  /// - Throws: `RLError` naming `navigation2D` for a goal that is not two finite numbers,
  ///   a horizon outside 1...`TabularMDP.maximumHorizon`, a non-positive or non-finite
  ///   `maxAction`, or a negative tolerance, radius or start width.
  public init(goal: [Double], rewardForm: RewardForm = .distance, horizon: Int = 100,
              maxAction: Double = 0.1, successTolerance: Double = 0.01, sparseRadius: Double? = nil,
              startHalfWidth: Double = 0, cornerSparseRadius: Double? = nil) throws {
    let op = "navigation2D"
    guard goal.count == 2, goal.allSatisfy(\.isFinite) else {
      throw RLError(.shapeMismatch, op, "goal must be two finite numbers, got \(goal)")
    }
    guard horizon >= 1, horizon <= TabularMDP.maximumHorizon else {
      throw RLError(.invalidArgument, op, "horizon must be in 1...\(TabularMDP.maximumHorizon), got \(horizon)")
    }
    guard maxAction > 0, maxAction.isFinite else {
      throw RLError(.invalidArgument, op, "maxAction must be positive and finite, got \(maxAction)")
    }
    guard successTolerance >= 0, successTolerance.isFinite else {
      throw RLError(.invalidArgument, op, "successTolerance must be >= 0, got \(successTolerance)")
    }
    for r in [sparseRadius, cornerSparseRadius].compactMap({ $0 }) where !(r > 0 && r.isFinite) {
      throw RLError(.invalidArgument, op, "sparse radius must be positive and finite, got \(r)")
    }
    guard startHalfWidth >= 0, startHalfWidth.isFinite else {
      throw RLError(.invalidArgument, op, "startHalfWidth must be >= 0 and finite, got \(startHalfWidth)")
    }
    self.goal = goal
    self.rewardForm = rewardForm
    self.horizon = horizon
    self.maxAction = maxAction
    self.successTolerance = successTolerance
    self.sparseRadius = sparseRadius
    self.startHalfWidth = startHalfWidth
    self.cornerSparseRadius = cornerSparseRadius
  }

  /// The same task with another goal.
  /// - Throws: `RLError` for a goal that is not two finite numbers.
  public func withGoal(_ goal: [Double]) throws -> Navigation2D {
    try Navigation2D(goal: goal, rewardForm: rewardForm, horizon: horizon, maxAction: maxAction,
                     successTolerance: successTolerance, sparseRadius: sparseRadius,
                     startHalfWidth: startHalfWidth, cornerSparseRadius: cornerSparseRadius)
  }

  /// ProMP's corner task (`MetaPointEnvCorner`): actions clipped to ±0.2, starts uniform in
  /// [−0.2, 0.2]², no early end; `sparseRadius` (ProMP's 0.5) selects the sparse corner reward,
  /// nil the dense `rewardForm`.
  /// - Throws: as ``init(goal:rewardForm:horizon:maxAction:successTolerance:sparseRadius:startHalfWidth:cornerSparseRadius:)``.
  public static func corner(goal: [Double], rewardForm: RewardForm = .distance, sparseRadius: Double? = 0.5,
                            horizon: Int = 100) throws -> Navigation2D {
    try Navigation2D(goal: goal, rewardForm: rewardForm, horizon: horizon, maxAction: 0.2, successTolerance: 0,
                     startHalfWidth: 0.2, cornerSparseRadius: sparseRadius)
  }

  /// PEARL's sparse point robot: horizon 20, reward 1 − ‖next − goal‖ within `radius` (0.2),
  /// no early termination.
  /// - Throws: as ``init(goal:rewardForm:horizon:maxAction:successTolerance:sparseRadius:startHalfWidth:cornerSparseRadius:)``.
  public static func sparse(goal: [Double], radius: Double = 0.2, horizon: Int = 20) throws -> Navigation2D {
    try Navigation2D(goal: goal, horizon: horizon, successTolerance: 0, sparseRadius: radius)
  }

  /// Every episode starts at (0, 0), or uniformly in [−startHalfWidth, startHalfWidth]² drawn
  /// from the episode's stream.
  /// - Throws: `RLError` naming `navigation2D.reset` when there are fewer streams than episodes.
  public func reset(episodes: Int, streams: inout [RandomStream]) throws -> [Double] {
    var state = [Double](repeating: 0, count: 2 * max(0, episodes))
    guard startHalfWidth > 0 else { return state }
    guard streams.count >= episodes else {
      throw RLError(.invalidArgument, "navigation2D.reset", "\(episodes) episodes need as many random streams, got \(streams.count)")
    }
    for i in 0..<max(0, episodes) {
      state[2 * i] = streams[i].uniform(-startHalfWidth, startHalfWidth)
      state[2 * i + 1] = streams[i].uniform(-startHalfWidth, startHalfWidth)
    }
    return state
  }

  /// The reward of moving from (px, py) to (x, y).
  @inline(__always)
  func reward(fromX px: Double, y py: Double, toX x: Double, y: Double) -> Double {
    let dx = x - goal[0], dy = y - goal[1]
    let d2 = dx * dx + dy * dy
    if let radius = sparseRadius {
      let d = d2.squareRoot()
      return d <= radius ? 1 - d : 0
    }
    if let radius = cornerSparseRadius {
      guard Swift.abs(x) + Swift.abs(y) >= radius, x * goal[0] >= 0, y * goal[1] >= 0 else { return 0 }
      let ex = px - goal[0], ey = py - goal[1]
      return (ex * ex + ey * ey).squareRoot() - d2.squareRoot()
    }
    return rewardForm == .distance ? -d2.squareRoot() : -d2
  }

  public func observations(of state: [Double]) -> [Double] { state }

  /// One step for every live episode; `state` holds positions `[B, 2]` row-major.
  /// - Throws: `RLError` naming `navigation2D.step` for actions of the wrong count or a NaN action.
  public func step(_ state: inout [Double], actions: [Double], alive: [Bool],
                   streams: inout [RandomStream]) throws -> StepOutcome {
    let b = alive.count
    guard actions.count == 2 * b, state.count == 2 * b else {
      throw RLError(.shapeMismatch, "navigation2D.step", "expected \(b) actions of size 2 (\(2 * b) numbers), got \(actions.count)")
    }
    var rewards = [Double](repeating: 0, count: b)
    var done = [Bool](repeating: false, count: b)
    for i in 0..<b where alive[i] {
      let ax = actions[2 * i], ay = actions[2 * i + 1]
      guard !ax.isNaN, !ay.isNaN else {
        throw RLError(.invalidArgument, "navigation2D.step", "action of episode \(i) is NaN")
      }
      let px = state[2 * i], py = state[2 * i + 1]
      let x = px + Swift.min(Swift.max(ax, -maxAction), maxAction)
      let y = py + Swift.min(Swift.max(ay, -maxAction), maxAction)
      state[2 * i] = x
      state[2 * i + 1] = y
      rewards[i] = reward(fromX: px, y: py, toX: x, y: y)
      done[i] = Swift.abs(x - goal[0]) < successTolerance && Swift.abs(y - goal[1]) < successTolerance
    }
    return StepOutcome(rewards: rewards, done: done)
  }

  /// The reward of each recorded step under this task (hindsight relabelling): step i went from
  /// `observations[i]` with `actions[i]` (as sampled, before clipping) to o + clip(a).
  /// - Parameters: `observations` and `actions` flat `[n * 2]`, e.g. a ``Trajectory``'s.
  /// - Throws: `RLError` naming `navigation2D.rewards` when the arrays are not both `[n * 2]`.
  public func rewards(observations: [Double], actions: [Double]) throws -> [Double] {
    guard observations.count == actions.count, observations.count % 2 == 0 else {
      throw RLError(.shapeMismatch, "navigation2D.rewards", "observations (\(observations.count) numbers) and actions (\(actions.count)) must both be [n * 2]")
    }
    var out = [Double](repeating: 0, count: observations.count / 2)
    for i in 0..<out.count {
      let px = observations[2 * i], py = observations[2 * i + 1]
      let x = px + Swift.min(Swift.max(actions[2 * i], -maxAction), maxAction)
      let y = py + Swift.min(Swift.max(actions[2 * i + 1], -maxAction), maxAction)
      out[i] = reward(fromX: px, y: py, toX: x, y: y)
    }
    return out
  }
}

/// A seeded family of 2D navigation tasks.
///
/// Task i of iteration k is drawn from the stream `(seed, [k, i])`, so any task can be
/// recreated from its name alone and never depends on which others were drawn.
public struct Navigation2DFamily: Sendable, Equatable {
  /// Where goals come from.
  public enum GoalDistribution: Sendable, Equatable {
    /// Uniform in [−halfWidth, halfWidth]² (canonical: 0.5).
    case uniformSquare(halfWidth: Double)
    /// Uniform angle on the upper half-circle of the given radius (PEARL sparse: 1).
    case halfCircle(radius: Double)
    /// One of the corners (−c, −c), (c, −c), (−c, c), (c, c) with equal probability (ProMP: 2).
    case corners(halfWidth: Double)
  }

  /// The goal distribution.
  public let goals: GoalDistribution
  /// A task with a placeholder goal whose other settings every task copies.
  public let template: Navigation2D

  /// The canonical family: goals U[−0.5, 0.5]², distance reward (or `rewardForm`), horizon 100.
  /// - Throws: `RLError` for an invalid horizon.
  public static func canonical(rewardForm: Navigation2D.RewardForm = .distance, horizon: Int = 100) throws -> Navigation2DFamily {
    Navigation2DFamily(goals: .uniformSquare(halfWidth: 0.5),
                       template: try Navigation2D(goal: [0, 0], rewardForm: rewardForm, horizon: horizon))
  }

  /// PEARL's sparse point robot family: goals on the upper half-circle of radius 1, reward
  /// radius 0.2, horizon 20.
  /// - Throws: `RLError` for an invalid radius or horizon.
  public static func sparse(goalRadius: Double = 1, rewardRadius: Double = 0.2, horizon: Int = 20) throws -> Navigation2DFamily {
    guard goalRadius > 0, goalRadius.isFinite else {
      throw RLError(.invalidArgument, "navigation2DFamily", "goal radius must be positive, got \(goalRadius)")
    }
    return Navigation2DFamily(goals: .halfCircle(radius: goalRadius),
                              template: try Navigation2D.sparse(goal: [0, 0], radius: rewardRadius, horizon: horizon))
  }

  /// ProMP's corner family: goals at (±2, ±2) with equal probability; tasks as
  /// ``Navigation2D/corner(goal:rewardForm:sparseRadius:horizon:)``.
  /// - Throws: `RLError` for an invalid radius or horizon.
  public static func corners(rewardForm: Navigation2D.RewardForm = .distance, sparseRadius: Double? = 0.5,
                             horizon: Int = 100) throws -> Navigation2DFamily {
    Navigation2DFamily(goals: .corners(halfWidth: 2),
                       template: try Navigation2D.corner(goal: [0, 0], rewardForm: rewardForm,
                                                         sparseRadius: sparseRadius, horizon: horizon))
  }

  /// Task `index` of `iteration`, drawn from the stream `(seed, [iteration, index])`.
  /// - Throws: `RLError` naming `navigation2DFamily` for a negative index or iteration.
  public func task(seed: UInt64, iteration: Int = 0, index: Int) throws -> Navigation2D {
    guard index >= 0, iteration >= 0 else {
      throw RLError(.outOfRange, "navigation2DFamily", "iteration \(iteration) and task index \(index) must be >= 0")
    }
    var rng = RandomStream(seed: seed, stream: [UInt64(iteration), UInt64(index)])
    let goal: [Double]
    switch goals {
    case .uniformSquare(let h):
      goal = [rng.uniform(-h, h), rng.uniform(-h, h)]
    case .halfCircle(let r):
      let angle = rng.uniform(0, Double.pi)
      goal = [r * cos(angle), r * sin(angle)]
    case .corners(let c):
      let k = Int(rng.next() % 4)
      goal = [k % 2 == 0 ? -c : c, k < 2 ? -c : c]
    }
    return try template.withGoal(goal)
  }

  /// Tasks 0..<count of `iteration`.
  /// - Throws: `RLError` for a negative count or iteration.
  public func tasks(count: Int, seed: UInt64, iteration: Int = 0) throws -> [Navigation2D] {
    guard count >= 0 else { throw RLError(.invalidArgument, "navigation2DFamily", "count must be >= 0, got \(count)") }
    return try (0..<count).map { try task(seed: seed, iteration: iteration, index: $0) }
  }
}
