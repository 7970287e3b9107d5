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

  public var observationSize: Int { 2 }
  public var actionSize: Int { 2 }
  /// The task features: the goal coordinates.
  public var features: [Double] { goal }
  /// A short name of the variant, to record with results (`"canonical/distance"`, `"sparse/0.2"`).
  public var variantName: String {
    if let r = sparseRadius { return "sparse/\(r)" }
    return "canonical/\(rewardForm.rawValue)"
  }

  /// Creates a navigation task.
  /// - Throws: `RLError` naming `navigation2D` for a goal that is not two finite numbers,
  ///   a horizon outside 1...`TabularMDP.maximumHorizon`, a non-positive or non-finite
  ///   `maxAction`, or a negative tolerance or radius.
  public init(goal: [Double], rewardForm: RewardForm = .distance, horizon: Int = 100,
              maxAction: Double = 0.1, successTolerance: Double = 0.01, sparseRadius: Double? = nil) throws {
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
    if let r = sparseRadius, !(r > 0 && r.isFinite) {
      throw RLError(.invalidArgument, op, "sparse radius must be positive and finite, got \(r)")
    }
    self.goal = goal
    self.rewardForm = rewardForm
    self.horizon = horizon
    self.maxAction = maxAction
    self.successTolerance = successTolerance
    self.sparseRadius = sparseRadius
  }

  /// PEARL's sparse point robot: horizon 20, reward 1 − ‖next − goal‖ within `radius` (0.2),
  /// no early termination.
  /// - Throws: as ``init(goal:rewardForm:horizon:maxAction:successTolerance:sparseRadius:)``.
  public static func sparse(goal: [Double], radius: Double = 0.2, horizon: Int = 20) throws -> Navigation2D {
    try Navigation2D(goal: goal, horizon: horizon, successTolerance: 0, sparseRadius: radius)
  }

  /// Every episode starts at (0, 0).
  public func reset(episodes: Int, streams: inout [RandomStream]) throws -> [Double] {
    [Double](repeating: 0, count: 2 * max(0, episodes))
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
    let (gx, gy) = (goal[0], goal[1])
    for i in 0..<b where alive[i] {
      let ax = actions[2 * i], ay = actions[2 * i + 1]
      guard !ax.isNaN, !ay.isNaN else {
        throw RLError(.invalidArgument, "navigation2D.step", "action of episode \(i) is NaN")
      }
      let x = state[2 * i] + Swift.min(Swift.max(ax, -maxAction), maxAction)
      let y = state[2 * i + 1] + Swift.min(Swift.max(ay, -maxAction), maxAction)
      state[2 * i] = x
      state[2 * i + 1] = y
      let dx = x - gx, dy = y - gy
      let d2 = dx * dx + dy * dy
      if let radius = sparseRadius {
        let d = d2.squareRoot()
        rewards[i] = d <= radius ? 1 - d : 0
      } else {
        rewards[i] = rewardForm == .distance ? -d2.squareRoot() : -d2
        done[i] = Swift.abs(dx) < successTolerance && Swift.abs(dy) < successTolerance
      }
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
      let x = observations[2 * i] + Swift.min(Swift.max(actions[2 * i], -maxAction), maxAction)
      let y = observations[2 * i + 1] + Swift.min(Swift.max(actions[2 * i + 1], -maxAction), maxAction)
      let dx = x - goal[0], dy = y - goal[1]
      let d2 = dx * dx + dy * dy
      if let radius = sparseRadius {
        let d = d2.squareRoot()
        out[i] = d <= radius ? 1 - d : 0
      } else {
        out[i] = rewardForm == .distance ? -d2.squareRoot() : -d2
      }
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
    }
    return try Navigation2D(goal: goal, rewardForm: template.rewardForm, horizon: template.horizon,
                            maxAction: template.maxAction, successTolerance: template.successTolerance,
                            sparseRadius: template.sparseRadius)
  }

  /// Tasks 0..<count of `iteration`.
  /// - Throws: `RLError` for a negative count or iteration.
  public func tasks(count: Int, seed: UInt64, iteration: Int = 0) throws -> [Navigation2D] {
    guard count >= 0 else { throw RLError(.invalidArgument, "navigation2DFamily", "count must be >= 0, got \(count)") }
    return try (0..<count).map { try task(seed: seed, iteration: iteration, index: $0) }
  }
}
